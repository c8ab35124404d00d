import { Role } from '@depot/common';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { createHostedApp, downloadArchive, JSON_ACCEPT } from '../support/hosted-app-kit';
import { filesOf, zipOf } from '../support/zip-kit';
import { loggedIn, logIn, setUpConsoleSuite } from './console-kit';

/** `CONSOLE_SCREENSHOTS=1` writes the pages shown in the docs (docs/console-*.png). */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';
const DOCS = path.resolve(__dirname, '../../docs');
/** A hosted page; its icon link keeps Chromium from asking for a /favicon.ico that is not there. */
const PAGE = (title: string): string =>
  `<!doctype html><html><head><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

describe('console in Chromium: applications, archives, plugins, files and users', () => {
  const suite = setUpConsoleSuite({ logInAdmin: true });
  const appName = 'Shop floor';
  const contextPath = 'shop-floor';

  const appRecord = async (): Promise<Record<string, unknown>> => {
    const list = await request(suite.t.server)
      .get('/application/applications')
      .query({ name: appName })
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    return (list.body as { applications: Array<Record<string, unknown>> }).applications[0];
  };

  /** A zip in the suite's temp folder (file inputs take paths). */
  const zipFile = (name: string, files: Record<string, string>): string => {
    const file = path.join(suite.browser.dir, name);
    writeFileSync(file, zipOf(files));
    return file;
  };

  it('creates a hosted application, which the table then lists', async () => {
    const { page } = suite.admin;
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByLabel('Name').fill(appName);
    expect(await page.getByLabel('Context path').inputValue()).toBe(contextPath);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: appName, level: 1 }).waitFor();
    const app = await appRecord();
    expect(app).toMatchObject({ type: 'HOSTED', contextPath, key: `${contextPath}-key` });

    await page.getByRole('link', { name: '← Applications' }).click();
    const row = page.getByRole('row', { name: new RegExp(appName) });
    await row.filter({ hasText: contextPath }).filter({ hasText: 'HOSTED' }).waitFor();
  });

  it('uploads two archives with progress, activates the first again, downloads it and deletes the other', async () => {
    const { page } = suite.admin;
    await page.getByRole('link', { name: appName, exact: true }).click();
    await page.getByRole('heading', { name: 'Archives' }).waitFor();
    const v1 = zipFile('v1.zip', {
      'index.html': PAGE('Shop floor v1'),
      'cumulocity.json': '{"name":"Shop floor"}',
    });
    await page.getByLabel('Upload', { exact: true }).setInputFiles([v1]);
    await page.getByRole('progressbar', { name: /v1\.zip/ }).waitFor({ state: 'attached' });
    await page
      .getByRole('row', { name: /v1\.zip/ })
      .filter({ hasText: 'Active' })
      .waitFor();
    const v2 = zipFile('v2.zip', { 'index.html': PAGE('Shop floor v2') });
    await page.getByLabel('Upload', { exact: true }).setInputFiles([v2]);
    await page
      .getByRole('row', { name: /v2\.zip/ })
      .filter({ hasText: 'Active' })
      .waitFor();

    const first = page.getByRole('row', { name: /v1\.zip/ });
    await first.getByRole('button', { name: 'Activate' }).click();
    await first.filter({ hasText: 'Active' }).waitFor();
    const app = await appRecord();
    const archives = await request(suite.t.server)
      .get(`/application/applications/${app.id as string}/binaries`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    const byName = Object.fromEntries(
      (archives.body as { attachments: Array<{ id: string; name: string }> }).attachments.map((a) => [
        a.name,
        a.id,
      ]),
    );
    expect(app.activeVersionId).toBe(byName['v1.zip']);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      first.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(readFileSync(await download.path()).equals(readFileSync(v1))).toBe(true);

    // The active archive offers no Delete; the other does, behind a dialog.
    expect(await first.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await page
      .getByRole('row', { name: /v2\.zip/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page
      .getByRole('dialog', { name: 'Delete archive' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByRole('row', { name: /v2\.zip/ }).waitFor({ state: 'detached' });
    if (SCREENSHOTS)
      await page.screenshot({ path: path.join(DOCS, 'console-application.png'), fullPage: true });
  });

  it('opens the active archive in a new tab of the same browser: the cookie session loads it', async () => {
    const { page, context } = suite.admin;
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page
        .getByRole('link', { name: `Open ${appName}` })
        .first()
        .click(),
    ]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(`${suite.t.baseUrl}/apps/${contextPath}/`);
    await tab.getByRole('heading', { name: 'Shop floor v1' }).waitFor();
    await tab.close();
  });

  it('sends a browser without a session from the hosted application to the login page and back', async () => {
    const visitor = await suite.browser.open();
    const { page } = visitor;
    await page.goto(`/apps/${contextPath}/`);
    await page.waitForURL(/\/console\/login\?returnTo=/);
    await logIn(page, suite.t.admin);
    await page.waitForURL(`${suite.t.baseUrl}/apps/${contextPath}/`);
    await page.getByRole('heading', { name: 'Shop floor v1' }).waitFor();
    expect(visitor.watch.consoleErrors).toEqual([]);
    expect(visitor.watch.foreignRequests).toEqual([]);
  });

  it('logs in by keyboard and ignores a returnTo that leaves the origin', async () => {
    const visitor = await suite.browser.open();
    const { page } = visitor;
    await page.goto('/console/login?returnTo=%2F%2Fevil.example%2Fsteal');
    // By keyboard only: the form opens with the focus on User; Tab to Password, Enter submits.
    await page.getByLabel('Tenant').fill(suite.t.admin.tenant);
    await page.getByLabel('User', { exact: true }).focus();
    await page.keyboard.type(suite.t.admin.user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(suite.t.admin.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.t.baseUrl}/console/files`);
    await loggedIn(page);
    expect(visitor.watch.foreignRequests).toEqual([]);
    expect(visitor.watch.consoleErrors).toEqual([]);
  });

  it('adds a plugin, lists it with its cumulocity.json, and removes it', async () => {
    const { page } = suite.admin;
    const plugin = zipFile('widgets.zip', {
      'cumulocity.json': JSON.stringify({ name: 'widgets', contextPath: 'widgets', version: '1.2.0' }),
      'main.js': 'export const widgets = 1;',
    });
    await page.getByLabel('Plugin name').fill('widgets');
    await page.getByLabel('Add plugin zip').setInputFiles([plugin]);
    const row = page.getByRole('row', { name: /widgets/ });
    await row.filter({ hasText: '"version": "1.2.0"' }).waitFor();
    const app = await appRecord();
    const listed = await request(suite.t.server)
      .get(`/application/applications/${app.id as string}/binaries/plugins`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    expect(listed.body).toEqual([expect.objectContaining({ pluginName: 'widgets' })]);
    if (SCREENSHOTS)
      await page.screenshot({ path: path.join(DOCS, 'console-application.png'), fullPage: true });

    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove plugin' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No plugins').waitFor();
    const after = await request(suite.t.server)
      .get(`/application/applications/${app.id as string}/binaries/plugins`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    expect(after.body).toEqual([]);
  });

  it('writes a single file into the application, served at once', async () => {
    const { page, context } = suite.admin;
    await page.getByLabel('Path').fill('config/settings.json');
    await page.getByLabel('Content').fill('{"theme":"dark"}');
    await page.getByRole('button', { name: 'Write file' }).click();
    await page.getByRole('status').filter({ hasText: 'Wrote config/settings.json' }).waitFor();
    const served = await context.request.get(`/apps/${contextPath}/config/settings.json`);
    expect(await served.text()).toBe('{"theme":"dark"}');
    const app = await appRecord();
    const archive = await downloadArchive(suite.t, { id: app.id as string }, app.activeVersionId as string);
    expect(filesOf(archive)['config/settings.json']).toBe('{"theme":"dark"}');
    if (SCREENSHOTS) {
      await page.getByRole('link', { name: '← Applications' }).click();
      await page.getByRole('row', { name: new RegExp(appName) }).waitFor();
      await page.screenshot({ path: path.join(DOCS, 'console-applications.png') });
    }
  });

  it('uploads versions with tags, moves latest, edits tags, opens one by version and deletes one', async () => {
    const { page, context } = suite.admin;
    const pkg = await createHostedApp(suite.t, { contextPath: 'gauges', manifest: { isPackage: true } });
    await page.goto(`/console/applications/${pkg.id}`);
    await page.getByText('No versions').waitFor();
    const v1 = zipFile('gauges-1.zip', {
      'cumulocity.json': JSON.stringify({ isPackage: true, version: '1.0.0' }),
      'index.html': PAGE('gauges 1.0.0'),
    });
    // The version comes from the zip's cumulocity.json; the first version gets `latest`.
    await page.getByLabel('Upload version').setInputFiles([v1]);
    const first = page.getByRole('row', { name: /^1\.0\.0/ });
    await first.filter({ hasText: 'latest' }).waitFor();
    const v2 = zipFile('gauges-2.zip', { 'index.html': PAGE('gauges 2.0.0') });
    await page.getByLabel('Version', { exact: true }).fill('2.0.0');
    await page.getByLabel('Tags', { exact: true }).fill('next');
    await page.getByLabel('Upload version').setInputFiles([v2]);
    const second = page.getByRole('row', { name: /^2\.0\.0/ });
    await second.filter({ hasText: 'next' }).waitFor();

    await second.getByRole('button', { name: 'Make latest' }).click();
    await second.filter({ hasText: 'latest' }).waitFor();
    await first.getByRole('button', { name: 'Tags' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tags of 1.0.0' });
    await dialog.getByLabel('Tags').fill('stable');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await first.filter({ hasText: 'stable' }).waitFor();
    const listed = await request(suite.t.server)
      .get(`/application/applications/${pkg.id}/versions`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    expect((listed.body as { applicationVersions: unknown[] }).applicationVersions).toEqual([
      expect.objectContaining({ version: '1.0.0', tags: ['stable'] }),
      expect.objectContaining({
        version: '2.0.0',
        tags: expect.arrayContaining(['latest', 'next']) as unknown,
      }),
    ]);

    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      first.getByRole('link', { name: 'Open version 1.0.0' }).click(),
    ]);
    await tab.getByRole('heading', { name: 'gauges 1.0.0' }).waitFor();
    expect(tab.url()).toBe(`${suite.t.baseUrl}/apps/gauges@1.0.0/`);
    await tab.close();

    // The latest version offers no Delete; the other does.
    expect(await second.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await first.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete version' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await first.waitFor({ state: 'detached' });
    const after = await request(suite.t.server)
      .get(`/application/applications/${pkg.id}/versions`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    expect(
      (after.body as { applicationVersions: Array<{ version: string }> }).applicationVersions.map(
        (v) => v.version,
      ),
    ).toEqual(['2.0.0']);
  });

  it('lists the users, creates one and grants roles', async () => {
    const { page } = suite.admin;
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('row', { name: new RegExp(suite.t.admin.user) }).waitFor();
    await page.getByLabel('User name').fill('operator');
    await page.getByLabel('New password').fill('operator-pw-123');
    await page.getByRole('button', { name: 'Create' }).click();
    const row = page.getByRole('row', { name: /operator/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Roles' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roles of operator' });
    await dialog.getByRole('checkbox', { name: 'INVENTORY_READ' }).check();
    await dialog.getByRole('checkbox', { name: 'APPLICATION_MANAGEMENT_READ' }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row.filter({ hasText: 'INVENTORY_READ' }).waitFor();
    const user = await request(suite.t.server)
      .get(`/user/${suite.t.admin.tenant}/users/operator`)
      .set('Authorization', suite.t.auth())
      .set('Accept', JSON_ACCEPT);
    const roles = (
      user.body as { roles: { references: Array<{ role: { id: string } }> } }
    ).roles.references.map((reference) => reference.role.id);
    expect(roles.sort()).toEqual([Role.ApplicationManagementRead, Role.InventoryRead].sort());

    // The new user sees Files and Applications, read-only: no create form, no upload.
    const operator = await suite.browser.open();
    await logIn(operator.page, {
      tenant: suite.t.admin.tenant,
      user: 'operator',
      password: 'operator-pw-123',
    });
    await loggedIn(operator.page);
    const links = operator.page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
    await operator.page.getByRole('link', { name: 'Applications' }).waitFor();
    expect(await links.allTextContents()).toEqual(['Files', 'Applications']);
    await operator.page.getByRole('link', { name: 'Applications' }).click();
    await operator.page.getByRole('row', { name: new RegExp(appName) }).waitFor();
    expect(await operator.page.getByRole('button', { name: 'Create' }).count()).toBe(0);
    await operator.page.getByRole('link', { name: appName, exact: true }).click();
    await operator.page.getByRole('heading', { name: 'Archives' }).waitFor();
    // Plugins are every top-level folder: the one the file write made.
    await operator.page.getByRole('row', { name: /config/ }).waitFor();
    await operator.page.getByText('The archives are shown to application administrators.').waitFor();
    expect(await operator.page.getByLabel('Upload', { exact: true }).count()).toBe(0);
    expect(await operator.page.getByRole('button', { name: 'Activate' }).count()).toBe(0);
    expect(await operator.page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    expect(operator.watch.consoleErrors).toEqual([]);
    expect(operator.watch.foreignRequests).toEqual([]);
  });
});
