import { chromium, type Browser } from 'playwright-core';

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
