import request from 'supertest';
import {
  activeFilesOf,
  createHostedApp,
  createHostedAppWithFiles,
  JSON_ACCEPT,
  snapshotOf,
  uploadArchive,
  uploadOk,
  writeFiles,
  type HostedApp,
} from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildRawZip, zipOf } from '../support/zip-kit';

const NFC = 'caf\u00e9.txt';
const INDEX = { name: 'index.html', data: '<html></html>' };
const NFD = 'cafe\u0301.txt';

/**
 * Names the filesystem of the extraction cache cannot hold are refused on the way in (422), and names
 * equal under Unicode NFC are one name everywhere: in validation, in edits and when served.
 */
describe('archive entry names', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const writeNamedFiles = (app: HostedApp, parts: { name: string; content: string }[]) =>
    writeFiles(
      t,
      app,
      parts.map((part) => ({ name: part.name, body: part.content, filename: 'f' })),
    );
  const serve = (app: { contextPath: string }, file: string) =>
    request(t.server)
      .get(`/apps/${app.contextPath}/${encodeURIComponent(file)}`)
      .set('Authorization', t.auth());

  describe('longer than 255 bytes in a path segment', () => {
    it('refuses an archive entry of 200 "é" (400 bytes) with 422, and serves what it kept', async () => {
      const app = await createHostedApp(t);
      const response = await uploadArchive(
        t,
        app.id,
        buildRawZip([INDEX, { name: `${'\u00e9'.repeat(200)}.js`, data: 'x' }]),
      );
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'applications/Invalid Data' });
      expect((response.body as { message: string }).message).toMatch(/255 bytes/);
    });

    it('refuses a 300-character file written through .../binaries/files with 422, changing nothing', async () => {
      const app = await createHostedAppWithFiles(t);
      const before = await snapshotOf(t, app);
      const response = await writeNamedFiles(app, [{ name: `docs/${'a'.repeat(300)}.txt`, content: 'x' }]);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'applications/Invalid Data' });
      expect(await snapshotOf(t, app)).toEqual(before);
      expect((await serve(app, 'index.html')).status).toBe(200);
    });

    it('refuses such an entry in a plugin zip with 422', async () => {
      const app = await createHostedAppWithFiles(t);
      const response = await request(t.server)
        .post(`${app.url}/binaries/plugins/p`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .attach('file', zipOf({ [`${'b'.repeat(256)}.js`]: 'x' }), 'p.zip');
      expect(response.status).toBe(422);
    });
  });

  describe('equal under Unicode normalisation', () => {
    it('refuses an archive holding the NFC and the NFD form of one name', async () => {
      const app = await createHostedApp(t);
      const response = await uploadArchive(
        t,
        app.id,
        buildRawZip([INDEX, { name: NFC, data: 'nfc' }, { name: NFD, data: 'nfd' }]),
      );
      expect(response.status).toBe(422);
      expect((response.body as { message: string }).message).toMatch(/occurs twice/);
    });

    it('serves an NFD entry to the NFC request a browser sends', async () => {
      const app = await createHostedApp(t);
      await uploadOk(t, app.id, buildRawZip([INDEX, { name: `docs/${NFD}`, data: 'decomposed' }]));
      const response = await serve(app, `docs/${NFC}`).buffer(true);
      expect(response.status).toBe(200);
      expect(response.text).toBe('decomposed');
    });

    it('replaces the NFD entry by a file written under the NFC name', async () => {
      const app = await createHostedApp(t);
      await uploadOk(t, app.id, buildRawZip([INDEX, { name: `docs/${NFD}`, data: 'old' }]));
      const written = await writeNamedFiles(
        { ...app, initialArchiveId: '', url: `/application/applications/${app.id}` },
        [{ name: `docs/${NFC}`, content: 'new' }],
      );
      expect(written.status).toBe(201);
      expect(await activeFilesOf(t, app)).toEqual({ 'index.html': '<html></html>', [`docs/${NFC}`]: 'new' });
      expect((await serve(app, `docs/${NFC}`)).text).toBe('new');
    });

    it('takes the two forms in one files request as one file: the later part wins', async () => {
      const app = await createHostedAppWithFiles(t);
      const written = await writeNamedFiles(app, [
        { name: NFD, content: 'first' },
        { name: NFC, content: 'second' },
      ]);
      expect(written.status).toBe(201);
      const files = await activeFilesOf(t, app);
      expect(Object.keys(files).filter((name) => name.startsWith('caf'))).toEqual([NFC]);
      expect(files[NFC]).toBe('second');
    });
  });
});
