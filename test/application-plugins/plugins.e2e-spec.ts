import request from 'supertest';
import { Role } from '@depot/common';
import { createUser } from '../support/factories';
import { multipartBody, type Part } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  activeFilesOf,
  activeVersionOf,
  archiveIds,
  createHostedApp,
  createHostedAppWithFiles,
  downloadArchive,
  type HostedApp,
  JSON_ACCEPT,
  writeFiles,
} from '../support/hosted-app-kit';
import { entriesOf, zipOf } from '../support/zip-kit';

const ORIGIN = 'depot_ArchiveOrigin';

describe('application plugins and files', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  function postPlugin(app: HostedApp, pluginName: string, zip: Buffer): request.Test {
    return request(t.server)
      .post(`${app.url}/binaries/plugins/${pluginName}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .attach('file', zip, { filename: `${pluginName}.zip`, contentType: 'application/zip' });
  }

  describe('POST .../binaries/plugins/{pluginName}', () => {
    it('merges the zip into the plugin directory, answers 201 with Location and the new active archive', async () => {
      const app = await createHostedAppWithFiles(t, { 'index.html': 'app', 'assets/app.js': 'js' });
      const response = await postPlugin(
        app,
        'myplugin',
        zipOf({ 'cumulocity.json': '{"name":"p"}', 'p.js': 'p' }),
      );

      expect(response.status).toBe(201);
      const archive = response.body as Record<string, unknown>;
      expect(response.headers.location).toBe(`${t.baseUrl}${app.url}/binaries/${String(archive.id)}`);
      expect(response.headers['content-type']).toMatch(/managedObject\+json/i);
      expect(archive).toMatchObject({
        type: `c8y_applications_storage_${app.id}`,
        c8y_IsBinary: {},
        [ORIGIN]: { baseVersionId: app.initialArchiveId, operation: 'addPlugin', pluginName: 'myplugin' },
      });
      expect(await activeVersionOf(t, app)).toBe(archive.id);
      expect(await activeFilesOf(t, app)).toEqual({
        'index.html': 'app',
        'assets/app.js': 'js',
        'myplugin/cumulocity.json': '{"name":"p"}',
        'myplugin/p.js': 'p',
      });
      // The new version is what /apps serves.
      const contextPath = (await request(t.server).get(app.url).set('Authorization', t.auth())).body as {
        contextPath: string;
      };
      const served = await request(t.server)
        .get(`/apps/${contextPath.contextPath}/myplugin/p.js`)
        .set('Authorization', t.auth());
      expect(served.status).toBe(200);
      expect(served.text).toBe('p');
    });

    it('overwrites the same paths on a second upload and keeps the plugin’s other files', async () => {
      const app = await createHostedAppWithFiles(t);
      expect((await postPlugin(app, 'p', zipOf({ 'a.js': 'a1', 'b.js': 'b1' }))).status).toBe(201);
      expect((await postPlugin(app, 'p', zipOf({ 'a.js': 'a2', 'c.js': 'c2' }))).status).toBe(201);
      expect(await activeFilesOf(t, app)).toEqual({
        'index.html': '<html>app</html>',
        'p/a.js': 'a2',
        'p/b.js': 'b1',
        'p/c.js': 'c2',
      });
    });

    it.each([
      [
        'an octet-stream part without filename (as @c8y/client sends a Buffer)',
        { contentType: 'application/octet-stream' },
      ],
      ['a part without filename or content type', {}],
      ['a part with a filename and no content type', { filename: 'plugin.zip' }],
    ])('accepts %s', async (_label, part: { filename?: string; contentType?: string }) => {
      const app = await createHostedAppWithFiles(t);
      const { body, contentType } = multipartBody([{ name: 'file', body: zipOf({ 'x.js': 'x' }), ...part }]);
      const response = await request(t.server)
        .post(`${app.url}/binaries/plugins/raw`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', contentType)
        .send(body);
      expect(response.status).toBe(201);
      expect((await activeFilesOf(t, app))['raw/x.js']).toBe('x');
    });

    it('answers 201 with an empty body without an Accept header (the Location still names the archive)', async () => {
      const app = await createHostedAppWithFiles(t);
      const response = await request(t.server)
        .post(`${app.url}/binaries/plugins/quiet`)
        .set('Authorization', t.auth())
        .attach('file', zipOf({ 'q.js': 'q' }), 'q.zip');
      expect(response.status).toBe(201);
      expect(response.text).toBe('');
      expect(response.headers.location).toBe(
        `${t.baseUrl}${app.url}/binaries/${await activeVersionOf(t, app)}`,
      );
    });
  });

  describe('building versions', () => {
    it('copies the entries it does not touch byte for byte, without re-compressing them', async () => {
      const files = Object.fromEntries(
        Array.from({ length: 30 }, (_, index) => [
          `assets/f${index}.js`,
          `const x${index} = ${'1+'.repeat(500)}1;`,
        ]),
      );
      const app = await createHostedAppWithFiles(t, { 'index.html': 'app', ...files });
      const added = await postPlugin(app, 'p', zipOf({ 'p.js': 'p' })).expect(201);
      const before = entriesOf(await downloadArchive(t, app, app.initialArchiveId));
      const after = entriesOf(await downloadArchive(t, app, (added.body as { id: string }).id));
      expect(after).toHaveLength(before.length + 1);
      for (const entry of before) {
        const copied = after.find((candidate) => candidate.name === entry.name);
        expect(copied).toBeDefined();
        expect(copied!.method).toBe(entry.method);
        expect(copied!.data.equals(entry.data)).toBe(true);
      }
    });

    it('builds the first version from nothing when the application has none (a servable result only)', async () => {
      const created = await createHostedApp(t);
      const app: HostedApp = {
        ...created,
        initialArchiveId: '',
        url: `/application/applications/${created.id}`,
      };
      await request(t.server)
        .get(`${app.url}/binaries/plugins`)
        .set('Authorization', t.auth())
        .expect(200, []);
      const refused = await postPlugin(app, 'p', zipOf({ 'p.js': 'p' }));
      expect(refused.status).toBe(422);
      expect((refused.body as { message: string }).message).toMatch(/index\.html/);
      expect(await activeVersionOf(t, app)).toBeNull();

      const written = await request(t.server)
        .post(`${app.url}/binaries/files`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .attach('index.html', Buffer.from('<html>first</html>'))
        .expect(201);
      expect((written.body as Record<string, unknown>)[ORIGIN]).toMatchObject({ baseVersionId: null });
      expect(await activeFilesOf(t, app)).toEqual({ 'index.html': '<html>first</html>' });
    });
  });

  describe('PUT .../binaries/plugins/{pluginName}', () => {
    it('replaces the plugin directory entirely (200)', async () => {
      const app = await createHostedAppWithFiles(t);
      await postPlugin(app, 'p', zipOf({ 'old.js': 'old', 'same.js': 'v1' })).expect(201);
      const response = await request(t.server)
        .put(`${app.url}/binaries/plugins/p`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .attach('file', zipOf({ 'same.js': 'v2' }), 'p.zip');
      expect(response.status).toBe(200);
      expect((response.body as Record<string, unknown>)[ORIGIN]).toMatchObject({
        operation: 'replacePlugin',
      });
      expect(await activeFilesOf(t, app)).toEqual({ 'index.html': '<html>app</html>', 'p/same.js': 'v2' });
    });
  });

  describe('DELETE .../binaries/plugins/{pluginName}', () => {
    it('removes the directory and answers 200 with the new archive; an unknown plugin is a 404', async () => {
      const app = await createHostedAppWithFiles(t);
      const added = await postPlugin(app, 'gone', zipOf({ 'g.js': 'g' })).expect(201);
      const response = await request(t.server)
        .delete(`${app.url}/binaries/plugins/gone`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT);
      expect(response.status).toBe(200);
      const archive = response.body as Record<string, unknown>;
      expect(archive[ORIGIN]).toEqual({
        baseVersionId: (added.body as { id: string }).id,
        operation: 'removePlugin',
        pluginName: 'gone',
      });
      expect(await activeVersionOf(t, app)).toBe(archive.id);
      expect(await activeFilesOf(t, app)).toEqual({ 'index.html': '<html>app</html>' });

      const again = await request(t.server)
        .delete(`${app.url}/binaries/plugins/gone`)
        .set('Authorization', t.auth());
      expect(again.status).toBe(404);
      expect(again.body).toMatchObject({ error: 'applications/Not Found' });
      expect(await activeVersionOf(t, app)).toBe(archive.id);
    });
  });

  describe('GET .../binaries/plugins', () => {
    it('lists top-level directories with their cumulocity.json', async () => {
      const app = await createHostedAppWithFiles(t, { 'index.html': 'x', 'assets/a.js': 'a' });
      await postPlugin(
        app,
        'widget',
        zipOf({ 'cumulocity.json': '{"name":"widget","package":"plugin"}' }),
      ).expect(201);
      const response = await request(t.server)
        .get(`${app.url}/binaries/plugins`)
        .set('Authorization', t.auth());
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/json/);
      expect(response.body).toEqual([
        { pluginName: 'assets' },
        { pluginName: 'widget', pluginPackage: { name: 'widget', package: 'plugin' } },
      ]);
    });
  });

  describe('POST .../binaries/files', () => {
    it('writes every part (field name = path) into one new version (201 + Location)', async () => {
      const app = await createHostedAppWithFiles(t, { 'index.html': 'v1', 'keep.txt': 'keep' });
      const before = (await archiveIds(t, app.id)).length;
      const response = await request(t.server)
        .post(`${app.url}/binaries/files`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .attach('index.html', Buffer.from('v2'))
        .attach('assets/new.css', Buffer.from('body{}'));
      expect(response.status).toBe(201);
      const archive = response.body as Record<string, unknown>;
      expect(response.headers.location).toBe(`${t.baseUrl}${app.url}/binaries/${String(archive.id)}`);
      expect(archive[ORIGIN]).toEqual({
        baseVersionId: app.initialArchiveId,
        operation: 'writeFiles',
        paths: ['index.html', 'assets/new.css'],
      });
      expect(await archiveIds(t, app.id)).toHaveLength(before + 1);
      expect(await activeFilesOf(t, app)).toEqual({
        'index.html': 'v2',
        'keep.txt': 'keep',
        'assets/new.css': 'body{}',
      });
    });

    it('takes up to 1000 parts in one request and refuses 1001 with 413', async () => {
      const app = await createHostedAppWithFiles(t);
      const files = (count: number): Part[] =>
        Array.from({ length: count }, (_, index) => ({ name: `many/f${index}.txt`, body: String(index) }));
      const send = (count: number): request.Test => writeFiles(t, app, files(count));
      expect((await send(1000)).status).toBe(201);
      expect((await activeFilesOf(t, app))['many/f999.txt']).toBe('999');
      const refused = await send(1001);
      expect(refused.status).toBe(413);
      expect(refused.body).toMatchObject({ error: 'applications/Payload Too Large' });
    });

    it('takes the path from the filename of a part named "filepath" (the original document’s form)', async () => {
      const app = await createHostedAppWithFiles(t);
      const response = await writeFiles(t, app, [
        { name: 'filepath', filename: 'docs/readme.txt', body: 'read me' },
      ]);
      expect(response.status).toBe(201);
      expect((await activeFilesOf(t, app))['docs/readme.txt']).toBe('read me');
    });
  });

  describe('retention', () => {
    it('keeps ARCHIVE_RETENTION archives (10) and always the active one', async () => {
      const app = await createHostedAppWithFiles(t);
      let lastId = '';
      for (let index = 0; index < 12; index++) {
        const response = await postPlugin(app, `p${index}`, zipOf({ 'x.js': String(index) })).expect(201);
        lastId = (response.body as { id: string }).id;
      }
      const archives = await archiveIds(t, app.id);
      expect(archives).toHaveLength(10);
      expect(archives).toContain(lastId);
      expect(archives).not.toContain(app.initialArchiveId);
      expect(await activeVersionOf(t, app)).toBe(lastId);
      expect(Object.keys(await activeFilesOf(t, app)).filter((name) => name.endsWith('x.js'))).toHaveLength(
        12,
      );
    });
  });

  describe('roles', () => {
    it('lets ROLE_APPLICATION_MANAGEMENT_READ list but not change; no credentials is a 401', async () => {
      const app = await createHostedAppWithFiles(t);
      const reader = await createUser(t, {
        userName: 'plugin-reader',
        roles: [Role.ApplicationManagementRead],
      });
      await request(t.server)
        .get(`${app.url}/binaries/plugins`)
        .set('Authorization', reader.auth)
        .expect(200);
      const denied = await request(t.server)
        .post(`${app.url}/binaries/plugins/p`)
        .set('Authorization', reader.auth)
        .attach('file', zipOf({ 'x.js': 'x' }), 'p.zip');
      expect(denied.status).toBe(403);
      await request(t.server)
        .delete(`${app.url}/binaries/plugins/p`)
        .set('Authorization', reader.auth)
        .expect(403);
      await request(t.server).get(`${app.url}/binaries/plugins`).expect(401);

      const admin = await createUser(t, {
        userName: 'plugin-admin',
        roles: [Role.ApplicationManagementAdmin],
      });
      await request(t.server)
        .post(`${app.url}/binaries/plugins/p`)
        .set('Authorization', admin.auth)
        .attach('file', zipOf({ 'x.js': 'x' }), 'p.zip')
        .expect(201);
    });
  });
});
