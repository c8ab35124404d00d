import { Role } from '@depot/common';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { createUser } from '../support/factories';
import {
  bigFile,
  binariesNamed,
  binaryContent,
  createBinary,
  loggedIn,
  logIn,
  setUpConsoleSuite,
  sha256Of,
  throttleUploads,
} from './console-kit';

// What the functions handed to page.evaluate use of the browser (the suites compile without the DOM lib).
interface ProgressElement {
  value: number;
  max: number;
  getAttribute(name: string): string | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<ProgressElement>; cookie: string };
declare class DataTransfer {
  items: { add(file: unknown): void };
}
declare class File {
  constructor(parts: string[], name: string, options: { type: string });
}

const MiB = 1024 * 1024;
/** A network error Chromium logs itself for an answer the test asked for (a refused login, a 403). */
const LOGGED_STATUS = /Failed to load resource: the server responded with a status of (401|403)/;

describe('console in Chromium: login and the Files page', () => {
  const suite = setUpConsoleSuite();

  it('goes from / to the login page, which offers the bootstrap tenant and shows the server message for a wrong password', async () => {
    const { page } = suite.admin;
    await page.goto('/');
    await page.waitForURL(/\/console\/login$/);
    await expectValue(page.getByLabel('Tenant'), suite.t.admin.tenant);
    const refused = await request(suite.t.server)
      .post('/tenant/oauth')
      .type('form')
      .send({ grant_type: 'PASSWORD', username: suite.t.admin.user, password: 'wrong-password' });
    expect(refused.status).toBe(401);
    // No Basic challenge: Chromium would show (headless: wait on) its password dialog.
    expect(refused.headers['www-authenticate']).toBeUndefined();
    const serverMessage = (refused.body as { message: string }).message;
    expect(serverMessage).toBeTruthy();

    await logIn(page, { ...suite.t.admin, password: 'wrong-password' });
    await expect(page.getByRole('alert').textContent()).resolves.toContain(serverMessage);
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    // The refused login is the one error Chromium logged, and it logged it itself.
    expect(suite.admin.watch.consoleErrors.every((line) => LOGGED_STATUS.test(line))).toBe(true);
    suite.admin.watch.consoleErrors.length = 0;

    await logIn(page, suite.t.admin);
    await loggedIn(page);
    await page.waitForURL(/\/console\/files$/);
    await expect(page.getByRole('banner').textContent()).resolves.toContain(suite.t.admin.user);
    await page.getByText(/Server UP/).waitFor();
  });

  it('uploads three files at once, one of 50 MiB whose progress bar is seen moving, and lists them', async () => {
    const { page } = suite.admin;
    const big = await bigFile(suite.browser.dir, 'firmware-50mib.bin', 50 * MiB);
    // Slow the upload down so the bar has time to move on loopback.
    const unthrottle = await throttleUploads(suite.admin, 25 * MiB);
    const report = path.join(suite.browser.dir, 'report-q1.txt');
    writeFileSync(report, 'quarter one');
    const photo = path.join(suite.browser.dir, 'photo.svg');
    writeFileSync(photo, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await page.getByLabel('Upload', { exact: true }).setInputFiles([big.path, report, photo]);
    const bar = page.getByRole('progressbar', { name: /firmware-50mib\.bin/ });
    await bar.waitFor();
    const first = await page.waitForFunction(
      () => {
        const bar = [...document.querySelectorAll('progress')].find((p) =>
          p.getAttribute('aria-label')?.includes('firmware-50mib.bin'),
        );
        return bar && bar.value > 0 && bar.value < bar.max ? bar.value : undefined;
      },
      undefined,
      { polling: 'raf' },
    );
    const firstValue = (await first.jsonValue()) as number;
    const second = await page.waitForFunction(
      (before) => {
        const bar = [...document.querySelectorAll('progress')].find((p) =>
          p.getAttribute('aria-label')?.includes('firmware-50mib.bin'),
        );
        return bar && bar.value !== before ? bar.value : undefined;
      },
      firstValue,
      { polling: 'raf' },
    );
    expect((await second.jsonValue()) as number).toBeGreaterThan(firstValue);
    await expect(page.getByRole('group', { name: 'firmware-50mib.bin' }).textContent()).resolves.toMatch(
      /\/s/,
    );

    for (const name of ['firmware-50mib.bin', 'report-q1.txt', 'photo.svg'])
      await page.getByRole('row', { name: new RegExp(name.replace('.', '\\.')) }).waitFor();
    await unthrottle();
    const bigRow = page.getByRole('row', { name: /firmware-50mib\.bin/ });
    await bigRow.filter({ hasText: '50 MB' }).waitFor();
    const [stored] = await binariesNamed(suite.t, 'firmware-50mib.bin');
    expect(stored.length).toBe(50 * MiB);

    // Downloaded through the browser, byte for byte.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      bigRow.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('firmware-50mib.bin');
    expect(await sha256Of(await download.path())).toBe(big.sha256);
  });

  it('uploads files dropped on the page', async () => {
    const { page } = suite.admin;
    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped content'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    });
    await page.dispatchEvent('main', 'dragover', { dataTransfer: dropped });
    await page.dispatchEvent('main', 'drop', { dataTransfer: dropped });
    await page.getByRole('row', { name: /dropped\.txt/ }).waitFor();
    const [stored] = await binariesNamed(suite.t, 'dropped.txt');
    expect((await binaryContent(suite.t, stored.id as string)).body.toString()).toBe('dropped content');
  });

  it('shows the server error of an upload that fails, and cancels a running one', async () => {
    const { page } = suite.admin;
    // An upload the server refuses: a name longer than the 1,000 characters a binary may have.
    const tooLong = `${'n'.repeat(1001)}.txt`;
    await page
      .getByLabel('Upload', { exact: true })
      .setInputFiles([{ name: tooLong, mimeType: 'text/plain', buffer: Buffer.from('x') }]);
    const failed = page.getByRole('group', { name: tooLong });
    await failed.getByRole('alert').filter({ hasText: /name/i }).waitFor();
    expect(suite.admin.watch.consoleErrors.every((line) => /status of 422/.test(line))).toBe(true);
    suite.admin.watch.consoleErrors.length = 0;
    await failed.getByRole('button', { name: 'Dismiss' }).click();

    const unthrottle = await throttleUploads(suite.admin, 1 * MiB);
    const slow = await bigFile(suite.browser.dir, 'cancel-me.bin', 20 * MiB);
    await page.getByLabel('Upload', { exact: true }).setInputFiles([slow.path]);
    const running = page.getByRole('group', { name: 'cancel-me.bin' });
    await running.getByRole('button', { name: 'Cancel' }).click();
    await running.getByText('Cancelled').waitFor();
    await running.getByRole('button', { name: 'Dismiss' }).click();
    await unthrottle();
    expect(await binariesNamed(suite.t, 'cancel-me.bin')).toEqual([]);
  });

  it('searches by text, filters by type and pages with totals', async () => {
    const { page } = suite.admin;
    for (let i = 1; i <= 12; i++)
      await createBinary(suite.t, `paged-${String(i).padStart(2, '0')}.csv`, `row ${i}`, 'text/csv');
    await page.getByLabel('Search').fill('paged-');
    await page.getByText('12 files · page 1 of 2').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(10);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('12 files · page 2 of 2').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('12 files · page 1 of 2').waitFor();

    await page.getByLabel('Search').fill('report');
    await page.getByText('1 file · page 1 of 1').waitFor();
    await page.getByRole('row', { name: /report-q1\.txt/ }).waitFor();

    await page.getByLabel('Search').fill('');
    await page.getByLabel('Type').fill('image/svg+xml');
    await page.getByText('1 file · page 1 of 1').waitFor();
    await page.getByRole('row', { name: /photo\.svg/ }).waitFor();
    await page.getByLabel('Type').fill('');
    await page.getByText('16 files · page 1 of 2').waitFor();
    if (process.env.CONSOLE_SCREENSHOTS === '1')
      await page.screenshot({ path: path.resolve(__dirname, '../../docs/console-files.png') });
  });

  it('replaces a file with progress, edits its name, type and custom fragments, and downloads it', async () => {
    const { page } = suite.admin;
    await page.getByLabel('Search').fill('report-q1');
    const row = page.getByRole('row', { name: /report-q1\.txt/ });
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      row.getByRole('button', { name: 'Replace' }).click(),
    ]);
    await chooser.setFiles([
      { name: 'q1-v2.txt', mimeType: 'text/plain', buffer: Buffer.from('quarter one, corrected') },
    ]);
    await page.getByRole('progressbar', { name: /q1-v2\.txt/ }).waitFor({ state: 'attached' });
    await row.filter({ hasText: '22 B' }).waitFor();
    const [stored] = await binariesNamed(suite.t, 'report-q1.txt');
    expect((await binaryContent(suite.t, stored.id as string)).body.toString()).toBe(
      'quarter one, corrected',
    );

    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: /Edit report-q1\.txt/ });
    await dialog.getByLabel('Name').fill('report-2026-q1.txt');
    await dialog.getByLabel('Type').fill('text/markdown');
    await dialog.getByLabel('Custom fragments (JSON)').fill('{"c8y_Department": {"name": "finance"}}');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByLabel('Search').fill('report-2026');
    const renamed = page.getByRole('row', { name: /report-2026-q1\.txt/ });
    await renamed.filter({ hasText: 'text/markdown' }).waitFor();
    const object = await request(suite.t.server)
      .get(`/inventory/managedObjects/${stored.id as string}`)
      .set('Authorization', suite.t.auth())
      .set('Accept', 'application/json');
    expect(object.body).toMatchObject({
      name: 'report-2026-q1.txt',
      type: 'text/markdown',
      c8y_Department: { name: 'finance' },
    });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      renamed.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(readFileSync(await download.path()).toString()).toBe('quarter one, corrected');
  });

  it('deletes one file after a confirmation dialog, and several by bulk selection', async () => {
    const { page } = suite.admin;
    await page.getByLabel('Search').fill('paged-0');
    await page.getByText('9 files · page 1 of 1').waitFor();
    const row = page.getByRole('row', { name: /paged-01\.csv/ });
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete file' });
    await expect(dialog.textContent()).resolves.toContain('paged-01.csv');
    // Cancel (or Escape) keeps it; Delete removes it.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete file' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await binariesNamed(suite.t, 'paged-01.csv')).toHaveLength(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('8 files · page 1 of 1').waitFor();
    expect(await binariesNamed(suite.t, 'paged-01.csv')).toEqual([]);

    for (const name of ['paged-02.csv', 'paged-03.csv', 'paged-04.csv'])
      await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.getByRole('button', { name: 'Delete selected (3)' }).click();
    await page
      .getByRole('dialog', { name: 'Delete 3 files' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    await page.getByText('5 files · page 1 of 1').waitFor();
    for (const name of ['paged-02.csv', 'paged-03.csv', 'paged-04.csv'])
      expect(await binariesNamed(suite.t, name)).toEqual([]);

    // Select all, then keyboard only: Tab to the bulk button, Enter, Enter on the dialog's first button.
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('button', { name: 'Delete selected (5)' }).focus();
    await page.keyboard.press('Enter');
    const bulk = page.getByRole('dialog', { name: 'Delete 5 files' });
    await bulk.getByRole('button', { name: 'Delete', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('0 files · page 1 of 1').waitFor();
    await page.getByLabel('Search').fill('');
  });

  it('offers a read-only user no upload, replace or delete, and the server still refuses them', async () => {
    const reader = await createUser(suite.t, { userName: 'reader', roles: [Role.InventoryRead] });
    const tab = await suite.browser.open();
    const { page } = tab;
    await logIn(page, { tenant: reader.tenant, user: reader.userName, password: reader.password });
    await loggedIn(page);
    await page.getByRole('row', { name: /photo\.svg/ }).waitFor();
    expect(await page.getByLabel('Upload', { exact: true }).count()).toBe(0);
    for (const name of ['Replace', 'Edit', 'Delete', 'Delete selected'])
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Download' }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(
      ['Files'],
    );

    const [photo] = await binariesNamed(suite.t, 'photo.svg');
    const status = await page.evaluate(async (id) => {
      const token = /XSRF-TOKEN=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const answer = await fetch(`/inventory/binaries/${id}`, {
        method: 'DELETE',
        headers: { 'X-XSRF-TOKEN': decodeURIComponent(token) },
      });
      return answer.status;
    }, photo.id as string);
    expect(status).toBe(403);
    expect(tab.watch.consoleErrors.every((line) => LOGGED_STATUS.test(line))).toBe(true);
    expect(tab.watch.foreignRequests).toEqual([]);
    expect(await binariesNamed(suite.t, 'photo.svg')).toHaveLength(1);
  });

  it('logs out: the login page comes back and the session no longer works', async () => {
    const { page, context } = suite.admin;
    const session = (await context.cookies()).find((cookie) => cookie.name === 'authorization');
    expect(session).toBeDefined();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/console\/login$/);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect((await context.request.get('/user/currentUser')).status()).toBe(401);
    // The token itself ends, not just the browser's copy of it.
    const replayed = await fetch(`${suite.t.baseUrl}/user/currentUser`, {
      headers: { Cookie: `authorization=${session!.value}` },
    });
    expect(replayed.status).toBe(401);
    await page.goto('/console/files');
    await page.waitForURL(/\/console\/login\?returnTo=%2Fconsole%2Ffiles$/);
  });
});

async function expectValue(locator: import('playwright-core').Locator, value: string): Promise<void> {
  await locator
    .page()
    .waitForFunction(([element, expected]) => (element as unknown as { value: string }).value === expected, [
      await locator.elementHandle(),
      value,
    ] as const);
}
