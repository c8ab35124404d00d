import { Role } from '@depot/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { binaryCount, blobFiles } from './applications-test-kit';
import {
  archiveIds,
  asBytes,
  createHostedApp,
  getApp,
  JSON_ACCEPT,
  uniqueName,
  uploadArchive,
  uploadOk,
} from '../support/hosted-app-kit';
import { buildRawZip, zipOf } from '../support/zip-kit';

describe('application archives', () => {
  let t: TestApp;
  let reader: CreatedUser;
  let other: CreatedTenant;

  beforeAll(async () => {
    // Small limits so the limit cases stay cheap; retention 3 to see pruning.
    t = await startTestApp({
      MAX_ARCHIVE_SIZE: String(256 * 1024),
      MAX_ARCHIVE_ENTRIES: '20',
      MAX_ARCHIVE_INFLATED: String(4 * 1024 * 1024),
      ARCHIVE_RETENTION: '3',
    });
    reader = await createUser(t, { userName: 'archive-reader', roles: [Role.ApplicationManagementRead] });
    other = await createTenant(t, 'otherarchives');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST .../binaries', () => {
    it('stores the zip, answers 201 with its managed object and Location, activates it, copies the manifest', async () => {
      const app = await createHostedApp(t);
      const zip = zipOf({
        'index.html': '<html>v1</html>',
        'cumulocity.json': JSON.stringify({ name: app.name, noAppSwitcher: true, version: '1.0.0' }),
      });
      const response = await request(t.server)
        .post(`/application/applications/${app.id}/binaries`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .attach('file', zip, { filename: 'my-app.zip', contentType: 'application/zip' })
        .field('fileName', 'named-by-field.zip');
      expect(response.status).toBe(201);
      const archive = response.body as Record<string, unknown>;
      expect(archive).toMatchObject({
        name: 'named-by-field.zip',
        type: `c8y_applications_storage_${app.id}`,
        contentType: 'application/zip',
        length: zip.length,
        c8y_IsBinary: {},
      });
      expect(response.headers.location).toBe(
        `${t.baseUrl}/application/applications/${app.id}/binaries/${String(archive.id)}`,
      );
      expect(await getApp(t, app.id)).toMatchObject({
        activeVersionId: archive.id,
        manifest: { noAppSwitcher: true, version: '1.0.0' },
      });
    });

    it('keeps the manifest when a later archive has no cumulocity.json', async () => {
      const app = await createHostedApp(t, { manifest: { fromCreate: true } });
      await uploadOk(t, app.id, zipOf());
      expect((await getApp(t, app.id)).manifest).toEqual({ fromCreate: true });
    });

    it('accepts a package without index.html (cumulocity.json says so)', async () => {
      const app = await createHostedApp(t);
      const zip = zipOf({
        'cumulocity.json': JSON.stringify({ isPackage: true, package: 'plugin' }),
        'remoteEntry.js': 'x',
      });
      expect((await uploadArchive(t, app.id, zip)).status).toBe(201);
      expect((await getApp(t, app.id)).manifest).toMatchObject({ isPackage: true, package: 'plugin' });
    });

    const bad: [string, () => Buffer, number, RegExp][] = [
      ['not a zip', () => Buffer.from('plain text'), 422, /not a zip/],
      ['a web app without index.html', () => zipOf({ 'main.js': 'x' }), 422, /index\.html/],
      ['index.html only in a subdirectory', () => zipOf({ 'dist/index.html': 'x' }), 422, /index\.html/],
      [
        'zip slip',
        () =>
          buildRawZip([
            { name: 'index.html', data: 'x' },
            { name: '../../etc/evil', data: 'x' },
          ]),
        422,
        /unsafe|dot segment/,
      ],
      [
        'a symlink entry',
        () =>
          buildRawZip([
            { name: 'index.html', data: 'x' },
            { name: 'link', data: '/etc/passwd', unixMode: 0o120777 },
          ]),
        422,
        /symbolic link/,
      ],
      [
        'duplicate names after case folding',
        () =>
          buildRawZip([
            { name: 'index.html', data: 'x' },
            { name: 'INDEX.html', data: 'y' },
          ]),
        422,
        /occurs twice/,
      ],
      [
        'too many entries',
        () =>
          zipOf(
            Object.fromEntries(
              Array.from({ length: 25 }, (_, i) => [`f${i}.js`, 'x']).concat([['index.html', 'x']]),
            ),
          ),
        422,
        /entries/,
      ],
      [
        'a bomb above the inflated limit',
        () =>
          buildRawZip([
            { name: 'index.html', data: 'x' },
            { name: 'zeros', data: Buffer.alloc(8 * 1024 * 1024) },
          ]),
        422,
        /ratio|inflates/,
      ],
      [
        'a header that lies about the size',
        () =>
          buildRawZip([
            { name: 'index.html', data: 'x' },
            { name: 'liar', data: Buffer.alloc(64 * 1024), declaredSize: 10 },
          ]),
        422,
        /header/,
      ],
      [
        'an invalid cumulocity.json',
        () => zipOf({ 'index.html': 'x', 'cumulocity.json': '{' }),
        422,
        /cumulocity\.json/,
      ],
    ];

    it.each(bad)('refuses %s and stores nothing', async (_label, build, status, message) => {
      const app = await createHostedApp(t);
      const good = await uploadOk(t, app.id, zipOf());
      const binariesBefore = await binaryCount(t);
      const blobsBefore = blobFiles(t).length;
      const response = await uploadArchive(t, app.id, build());
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ error: 'applications/Invalid Data' });
      expect((response.body as { message: string }).message).toMatch(message);
      expect(await binaryCount(t)).toBe(binariesBefore);
      expect(blobFiles(t).length).toBe(blobsBefore);
      expect((await getApp(t, app.id)).activeVersionId).toBe(good);
    });

    it('refuses a zip above MAX_ARCHIVE_SIZE with 413 and stores nothing', async () => {
      const app = await createHostedApp(t);
      const blobsBefore = blobFiles(t).length;
      const { randomBytes } = await import('node:crypto');
      const zip = zipOf({ 'index.html': 'x', 'random.bin': randomBytes(300 * 1024) });
      const response = await uploadArchive(t, app.id, zip);
      expect(response.status).toBe(413);
      expect((response.body as { error: string }).error).toMatch(/^applications\//);
      expect(blobFiles(t).length).toBe(blobsBefore);
      expect((await getApp(t, app.id)).activeVersionId).toBeUndefined();
    });

    it('refuses a request without a file part (422) and a file under another field name', async () => {
      const app = await createHostedApp(t);
      const noFile = await request(t.server)
        .post(`/application/applications/${app.id}/binaries`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .field('fileName', 'x.zip');
      expect(noFile.status).toBe(422);
      expect(noFile.body).toMatchObject({ error: 'applications/Invalid Data' });
      const notMultipart = await request(t.server)
        .post(`/application/applications/${app.id}/binaries`)
        .set('Authorization', t.auth())
        .set('Content-Type', 'application/zip')
        .send(zipOf());
      expect(notMultipart.status).toBe(422);
      const wrongField = await request(t.server)
        .post(`/application/applications/${app.id}/binaries`)
        .set('Authorization', t.auth())
        .attach('archive', zipOf(), 'app.zip');
      expect(wrongField.status).toBeGreaterThanOrEqual(400);
      expect(wrongField.status).toBeLessThan(500);
      expect((wrongField.body as { error: string }).error).toMatch(/^applications\//);
    });

    it('refuses archives for EXTERNAL applications (422), unknown or foreign applications (404), readers (403)', async () => {
      const name = uniqueName('ext');
      const external = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send({ name, key: `${name}-key`, type: 'EXTERNAL', externalUrl: 'https://example.com' });
      expect((await uploadArchive(t, (external.body as { id: string }).id, zipOf())).status).toBe(422);
      expect((await uploadArchive(t, '999999999', zipOf())).status).toBe(404);
      const app = await createHostedApp(t);
      expect((await uploadArchive(t, app.id, zipOf(), other.auth)).status).toBe(404);
      expect((await uploadArchive(t, app.id, zipOf(), reader.auth)).status).toBe(403);
    });

    it('keeps ARCHIVE_RETENTION archives, dropping the oldest inactive ones and their blobs', async () => {
      const app = await createHostedApp(t);
      const ids: string[] = [];
      for (let version = 1; version <= 5; version++)
        ids.push(await uploadOk(t, app.id, zipOf({ 'index.html': `v${version}` })));
      expect(await archiveIds(t, app.id)).toEqual(ids.slice(2));
      for (const pruned of ids.slice(0, 2))
        expect(
          (await request(t.server).get(`/inventory/binaries/${pruned}`).set('Authorization', t.auth()))
            .status,
        ).toBe(404);
    });
  });

  describe('GET, download and DELETE', () => {
    it('lists attachments with id, name, length, contentType, created and downloadUrl', async () => {
      const app = await createHostedApp(t);
      const zip = zipOf({ 'index.html': 'listed' });
      const id = await uploadOk(t, app.id, zip);
      const response = await request(t.server)
        .get(`/application/applications/${app.id}/binaries`)
        .set('Authorization', t.auth());
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/applicationbinaries\+json/i);
      const { attachments } = response.body as { attachments: Record<string, unknown>[] };
      expect(attachments).toEqual([
        {
          id,
          name: 'app.zip',
          length: zip.length,
          contentType: 'application/zip',
          created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown,
          downloadUrl: `${t.baseUrl}/application/applications/${app.id}/binaries/${id}`,
        },
      ]);
      expect(
        (
          await request(t.server)
            .get(`/application/applications/${app.id}/binaries`)
            .set('Authorization', other.auth)
        ).status,
      ).toBe(404);
    });

    it('downloads the zip byte for byte, with ranges and conditional requests', async () => {
      const app = await createHostedApp(t);
      const zip = zipOf({ 'index.html': 'download me' });
      const id = await uploadOk(t, app.id, zip);
      const url = `/application/applications/${app.id}/binaries/${id}`;
      const full = await request(t.server)
        .get(url)
        .set('Authorization', t.auth())
        .buffer(true)
        .parse(asBytes);
      expect(full.status).toBe(200);
      expect(full.headers['content-type']).toBe('application/zip');
      expect(Buffer.compare(full.body as Buffer, zip)).toBe(0);
      const etag = full.headers.etag;
      expect(
        (await request(t.server).get(url).set('Authorization', t.auth()).set('If-None-Match', etag)).status,
      ).toBe(304);
      const partial = await request(t.server)
        .get(url)
        .set('Authorization', t.auth())
        .set('Range', 'bytes=0-3');
      expect(partial.status).toBe(206);
      expect(partial.headers['content-range']).toBe(`bytes 0-3/${zip.length}`);
    });

    it('answers 404 for unknown archives, other applications’ archives; 403 for readers', async () => {
      const app = await createHostedApp(t);
      await uploadOk(t, app.id, zipOf());
      const otherApp = await createHostedApp(t);
      const foreign = await uploadOk(t, otherApp.id, zipOf());
      for (const id of ['999999999', foreign]) {
        const response = await request(t.server)
          .get(`/application/applications/${app.id}/binaries/${id}`)
          .set('Authorization', t.auth());
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ error: 'applications/Not Found' });
      }
      const mine = (await archiveIds(t, app.id))[0];
      expect(
        (
          await request(t.server)
            .get(`/application/applications/${app.id}/binaries/${mine}`)
            .set('Authorization', reader.auth)
        ).status,
      ).toBe(403);
      expect(
        (
          await request(t.server)
            .get(`/application/applications/${app.id}/binaries/${mine}`)
            .set('Authorization', other.auth)
        ).status,
      ).toBe(404);
    });

    // The inventory routes refuse to delete archives (archive-immutability.e2e-spec.ts); should the
    // row go anyway (by hand in SQL), the foreign key deactivates the application.
    it('deactivates the application when its active archive row disappears', async () => {
      const app = await createHostedApp(t);
      const active = await uploadOk(t, app.id, zipOf({ 'index.html': 'gone soon' }));
      await t.app.get(DataSource).query('DELETE FROM managed_objects WHERE id = $1', [active]);
      expect((await getApp(t, app.id)).activeVersionId).toBeUndefined();
      expect(await archiveIds(t, app.id)).toEqual([]);
      const served = await request(t.server).get(`/apps/${app.contextPath}/`).set('Authorization', t.auth());
      expect(served.status).toBe(404);
    });

    it('leaves non-numeric segments (plugins, files) to the routes that own them', async () => {
      const app = await createHostedApp(t);
      await uploadOk(t, app.id, zipOf());
      // A reader may list plugins: the archive download route (admin only) must not capture it.
      const plugins = await request(t.server)
        .get(`/application/applications/${app.id}/binaries/plugins`)
        .set('Authorization', reader.auth);
      expect(plugins.status).toBe(200);
      expect(Array.isArray(plugins.body)).toBe(true);
      const unknown = await request(t.server)
        .get(`/application/applications/${app.id}/binaries/whatever`)
        .set('Authorization', t.auth());
      expect(unknown.status).toBe(404);
      expect((unknown.body as { error: string }).error).toMatch(/^applications\//);
    });

    it('deletes an inactive archive (204) and refuses the active one (409)', async () => {
      const app = await createHostedApp(t);
      const v1 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v1' }));
      const v2 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v2' }));
      const del = (id: string, auth = t.auth()) =>
        request(t.server)
          .delete(`/application/applications/${app.id}/binaries/${id}`)
          .set('Authorization', auth);
      const active = await del(v2);
      expect(active.status).toBe(409);
      expect(active.body).toMatchObject({ error: 'applications/Conflict' });
      expect((await del(v1, reader.auth)).status).toBe(403);
      expect((await del(v1, other.auth)).status).toBe(404);
      expect((await del(v1)).status).toBe(204);
      expect(await archiveIds(t, app.id)).toEqual([v2]);
      expect(
        (await request(t.server).get(`/inventory/binaries/${v1}`).set('Authorization', t.auth())).status,
      ).toBe(404);
      expect((await del(v1)).status).toBe(404);
      expect((await del('not-a-number')).status).toBe(404);
    });
  });
});
