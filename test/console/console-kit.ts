import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium, watchContext, type PageWatch } from '../support/browser';
import { asBytes } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';

/** The console in a real browser, for one suite: one Chromium, a fresh context per user. */
export interface ConsoleBrowser {
  browser: Browser;
  /** A temp folder for the suite's files (the 50 MiB upload among them), removed on close. */
  dir: string;
  open(): Promise<ConsoleTab>;
  close(): Promise<void>;
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
}

export async function openConsoleBrowser(t: TestApp): Promise<ConsoleBrowser> {
  const browser = await launchChromium();
  const dir = mkdtempSync(path.join(tmpdir(), 'depot-console-'));
  const contexts: BrowserContext[] = [];
  return {
    browser,
    dir,
    async open() {
      const context = await browser.newContext({ acceptDownloads: true, baseURL: t.baseUrl });
      contexts.push(context);
      // Fail within a test's budget with Playwright's own message rather than jest's timeout.
      context.setDefaultTimeout(20_000);
      const watch = watchContext(context, t.baseUrl);
      const page = await context.newPage();
      return { context, page, watch };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `setUpConsoleSuite` provides to a suite's tests (filled in before the first). */
export interface ConsoleSuite {
  t: TestApp;
  browser: ConsoleBrowser;
  /** The bootstrap admin's tab. */
  admin: ConsoleTab;
}

/**
 * Registers the hooks of a console suite: a test app, one Chromium and the admin's tab (logged in
 * with `logInAdmin`), closed after the suite; after each test the admin's tab must have logged no
 * error and asked no other origin for anything.
 */
export function setUpConsoleSuite(options: { logInAdmin?: boolean } = {}): ConsoleSuite {
  const suite = {} as ConsoleSuite;
  beforeAll(async () => {
    suite.t = await startTestApp();
    suite.browser = await openConsoleBrowser(suite.t);
    suite.admin = await suite.browser.open();
    if (options.logInAdmin) {
      await logIn(suite.admin.page, suite.t.admin);
      await loggedIn(suite.admin.page);
    }
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.t?.close();
  });
  afterEach(() => {
    expect(suite.admin.watch.consoleErrors).toEqual([]);
    expect(suite.admin.watch.foreignRequests).toEqual([]);
  });
  return suite;
}

/**
 * Caps the tab's upload speed (bytes per second, through CDP) so an upload lasts long enough on
 * loopback to be watched (throttling, not a sleep); resolves to what lifts the cap.
 */
export async function throttleUploads(tab: ConsoleTab, bytesPerSecond: number): Promise<() => Promise<void>> {
  const cdp = await tab.context.newCDPSession(tab.page);
  await cdp.send('Network.enable');
  const limitUploads = async (uploadThroughput: number): Promise<void> => {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  };
  await limitUploads(bytesPerSecond);
  return () => limitUploads(-1);
}

/** Fills the login form as a person does and waits for the header to show the user. */
export async function logIn(
  page: Page,
  login: { tenant: string; user: string; password: string },
  path = '/console/',
): Promise<void> {
  if (!page.url().includes('/console/login')) await page.goto(path);
  await page.getByLabel('Tenant').fill(login.tenant);
  await page.getByLabel('User', { exact: true }).fill(login.user);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Waits until the header shows a logged-in user (the "Log out" button). */
export async function loggedIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Writes `bytes` of pseudo-random content to a file in `dir` (streamed); returns its path and SHA-256. */
export async function bigFile(
  dir: string,
  name: string,
  bytes: number,
): Promise<{ path: string; sha256: string }> {
  const file = path.join(dir, name);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
  function* chunks(): Generator<Buffer> {
    for (let written = 0; written < bytes; written += chunk.length) {
      const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, bytes - written)));
      piece.writeUInt32BE(written >>> 0, 0);
      yield piece;
    }
  }
  await pipeline(chunks(), createWriteStream(file));
  return { path: file, sha256: await sha256Of(file) };
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Creates a binary through the API (Basic auth), for tests that need many rows. */
export async function createBinary(
  t: TestApp,
  name: string,
  content: string,
  type = 'text/plain',
): Promise<string> {
  const response = await request(t.server)
    .post('/inventory/binaries')
    .set('Authorization', t.auth())
    .set('Accept', 'application/json')
    .field('object', JSON.stringify({ name, type }))
    .attach('file', Buffer.from(content), { filename: name, contentType: type });
  if (response.status !== 201) throw new Error(`create binary ${name}: ${response.status} ${response.text}`);
  return (response.body as { id: string }).id;
}

/** The bytes of a binary, read through the API. */
export async function binaryContent(t: TestApp, id: string): Promise<{ status: number; body: Buffer }> {
  const response = await request(t.server)
    .get(`/inventory/binaries/${id}`)
    .set('Authorization', t.auth())
    .buffer(true)
    .parse(asBytes);
  return { status: response.status, body: response.body as Buffer };
}

/** Finds binaries by name through the API. */
export async function binariesNamed(t: TestApp, name: string): Promise<Array<Record<string, unknown>>> {
  const response = await request(t.server)
    .get('/inventory/binaries')
    .query({ text: name, pageSize: 100 })
    .set('Authorization', t.auth())
    .set('Accept', 'application/json');
  const all = (response.body as { managedObjects: Array<Record<string, unknown>> }).managedObjects;
  return all.filter((binary) => binary.name === name);
}
