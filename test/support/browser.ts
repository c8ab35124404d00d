import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (CI installs it when missing); playwright-core drives it, it downloads no browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium for browser tests, with the options that make it run here: no sandbox (containers),
 * no GPU, and none of its own network traffic (updates, sync, QUIC), so a test sees only its own requests.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that a console page must never do: log an error, or request another origin. */
export interface PageWatch {
  consoleErrors: string[];
  foreignRequests: string[];
}

/**
 * Records every console error, uncaught page error and request outside `origin` of every page the
 * context opens (tabs opened later included).
 */
export function watchContext(context: BrowserContext, origin: string): PageWatch {
  const watch: PageWatch = { consoleErrors: [], foreignRequests: [] };
  const follow = (page: Page): void => {
    page.on('console', (message) => {
      if (message.type() === 'error') watch.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => watch.consoleErrors.push(`${page.url()}: ${error.message}`));
  };
  context.on('page', follow);
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'))
      watch.foreignRequests.push(url);
  });
  return watch;
}
