import request from 'supertest';
import { createTenant } from '../support/factories';
import { multipartBody } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';
import { createHostedAppWithFiles, type HostedApp, JSON_ACCEPT, snapshotOf } from '../support/hosted-app-kit';
import { buildRawZip, zipOf } from '../support/zip-kit';

// Every rejected change answers a Cumulocity error body and leaves the active version, the archives
// and the content exactly as they were.
describe('application plugins and files: bad input changes nothing', () => {
  let t: TestApp;
  let app: HostedApp;
  let before: unknown;

  beforeAll(async () => {
    t = await startTestApp({ MAX_ARCHIVE_SIZE: String(4 * 1024 * 1024), MAX_ARCHIVE_ENTRIES: '50' });
    app = await createHostedAppWithFiles(t, {
      'index.html': 'app',
      'existing/file.js': 'e',
      'afile.txt': 'f',
    });
    before = await snapshotOf(t, app);
  });
  afterEach(async () => {
    expect(await snapshotOf(t, app)).toEqual(before);
  });
  afterAll(async () => {
    await t?.close();
  });

  function expectError(response: request.Response, status: number, error?: string): void {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/error\+json/);
    const body = response.body as { error: string; message: string };
    expect(typeof body.message).toBe('string');
    if (error) expect(body.error).toBe(error);
  }

  function postPlugin(pluginName: string, zip: Buffer): request.Test {
    return request(t.server)
      .post(`${app.url}/binaries/plugins/${pluginName}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .attach('file', zip, { filename: 'p.zip', contentType: 'application/zip' });
  }

  it.each(['a%2Fb', '%2E%2E', '..', '%2E', 'a%5Cb', 'a%20b', '%C3%A4', 'a:b'])(
    'refuses the plugin name %s with 400',
    async (pluginName) => {
      expectError(await postPlugin(pluginName, zipOf({ 'x.js': 'x' })), 400, 'applications/Bad Request');
      const removed = await request(t.server)
        .delete(`${app.url}/binaries/plugins/${pluginName}`)
        .set('Authorization', t.auth());
      expectError(removed, 400);
    },
  );

  it('refuses a plugin name with U+0000 with 422, as every URL', async () => {
    expectError(await postPlugin('a%00b', zipOf({ 'x.js': 'x' })), 422, 'applications/Invalid Data');
  });

  it.each([
    ['zip slip', buildRawZip([{ name: '../../evil.js', data: 'x' }])],
    ['absolute entry', buildRawZip([{ name: '/etc/evil', data: 'x' }])],
    ['backslash entry', buildRawZip([{ name: '..\\evil.js', data: 'x' }])],
    ['symlink', buildRawZip([{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }])],
    [
      'duplicate names',
      buildRawZip([
        { name: 'a.js', data: '1' },
        { name: 'a.js', data: '2' },
      ]),
    ],
    ['zip bomb (ratio)', buildRawZip([{ name: 'bomb.txt', data: Buffer.alloc(64 * 1024 * 1024) }])],
    ['lying size header', buildRawZip([{ name: 'a.js', data: 'x'.repeat(1000), declaredSize: 10 }])],
    ['too many entries', zipOf(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}.js`, 'x'])))],
    ['not a zip', Buffer.from('this is not a zip file')],
    ['a zip without files', buildRawZip([])],
  ])('refuses a plugin zip with %s (422)', async (_label, zip) => {
    expectError(await postPlugin('evil', zip), 422, 'applications/Invalid Data');
  });

  it('refuses the same zips on PUT (replace) with 422', async () => {
    const response = await request(t.server)
      .put(`${app.url}/binaries/plugins/existing`)
      .set('Authorization', t.auth())
      .attach('file', buildRawZip([{ name: '../../evil.js', data: 'x' }]), 'p.zip');
    expectError(response, 422, 'applications/Invalid Data');
  });

  it('refuses a plugin that would put a file where the application has one with a directory’s name', async () => {
    expectError(await postPlugin('existing', zipOf({ 'file.js/x': 'x' })), 422);
  });

  it('refuses a missing or empty file part with 422', async () => {
    const missing = multipartBody([
      { name: 'other', body: 'x' },
      { name: 'more', body: 'y' },
    ]);
    expectError(
      await request(t.server)
        .post(`${app.url}/binaries/plugins/p`)
        .set('Authorization', t.auth())
        .set('Content-Type', missing.contentType)
        .send(missing.body),
      422,
    );
    expectError(await postPlugin('p', Buffer.alloc(0)), 422);
    expectError(
      await request(t.server).post(`${app.url}/binaries/plugins/p`).set('Authorization', t.auth()).send({}),
      422,
    );
  });

  it('refuses a plugin zip over MAX_ARCHIVE_SIZE with 413', async () => {
    expectError(await postPlugin('big', Buffer.alloc(5 * 1024 * 1024, 1)), 413);
  });

  it.each(['../x.js', 'a/../../x.js', '/abs.js', 'a\\b.js', 'a//b.js', 'dir/', '.', 'C:/x'])(
    'refuses the file path %j with 400',
    async (path) => {
      const { body, contentType } = multipartBody([
        { name: 'ok.js', body: 'fine' },
        { name: path, body: 'evil' },
      ]);
      expectError(
        await request(t.server)
          .post(`${app.url}/binaries/files`)
          .set('Authorization', t.auth())
          .set('Content-Type', contentType)
          .send(body),
        400,
        'applications/Bad Request',
      );
    },
  );

  it('refuses a file path given as a "filepath" filename that escapes', async () => {
    const { body, contentType } = multipartBody([
      { name: 'filepath', filename: '../../etc/x', body: 'evil' },
    ]);
    expectError(
      await request(t.server)
        .post(`${app.url}/binaries/files`)
        .set('Authorization', t.auth())
        .set('Content-Type', contentType)
        .send(body),
      400,
    );
  });

  it('refuses a files request without parts (422) and a file over a directory (422)', async () => {
    const empty = multipartBody([]);
    expectError(
      await request(t.server)
        .post(`${app.url}/binaries/files`)
        .set('Authorization', t.auth())
        .set('Content-Type', empty.contentType)
        .send(empty.body),
      422,
    );
    const clash = multipartBody([{ name: 'existing', body: 'x' }]);
    expectError(
      await request(t.server)
        .post(`${app.url}/binaries/files`)
        .set('Authorization', t.auth())
        .set('Content-Type', clash.contentType)
        .send(clash.body),
      422,
    );
  });

  it('answers 404 to another tenant’s administrator, for every plugin and files route', async () => {
    const other = await createTenant(t, 'plugins-other');
    const zip = zipOf({ 'x.js': 'x' });
    for (const call of [
      request(t.server).post(`${app.url}/binaries/plugins/p`).attach('file', zip, 'p.zip'),
      request(t.server).put(`${app.url}/binaries/plugins/existing`).attach('file', zip, 'p.zip'),
      request(t.server).delete(`${app.url}/binaries/plugins/existing`),
      request(t.server).get(`${app.url}/binaries/plugins`),
      request(t.server).post(`${app.url}/binaries/files`).attach('index.html', Buffer.from('x')),
    ])
      expectError(await call.set('Authorization', other.auth), 404);
  });

  it('answers 404 for an unknown application or plugin, 422 for a non-hosted application', async () => {
    expectError(
      await request(t.server)
        .post(`/application/applications/999999/binaries/plugins/p`)
        .set('Authorization', t.auth())
        .attach('file', zipOf({ 'x.js': 'x' }), 'p.zip'),
      404,
    );
    expectError(
      await request(t.server)
        .get(`/application/applications/not-an-id/binaries/plugins`)
        .set('Authorization', t.auth()),
      404,
    );
    expectError(
      await request(t.server)
        .delete(`${app.url}/binaries/plugins/nothing-here`)
        .set('Authorization', t.auth()),
      404,
      'applications/Not Found',
    );
    const external = await request(t.server)
      .post('/application/applications')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ name: 'ext-app', key: 'ext-app-key', type: 'EXTERNAL', externalUrl: 'https://example.com' })
      .expect(201);
    expectError(
      await request(t.server)
        .post(`/application/applications/${(external.body as { id: string }).id}/binaries/plugins/p`)
        .set('Authorization', t.auth())
        .attach('file', zipOf({ 'x.js': 'x' }), 'p.zip'),
      422,
    );
  });
});
