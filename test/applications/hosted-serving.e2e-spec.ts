import request from 'supertest';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { type CreatedApp, createHostedApp, uploadOk } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

describe('serving /apps/{contextPath}', () => {
  let t: TestApp;
  let app: CreatedApp;
  let plainUser: CreatedUser;
  let other: CreatedTenant;
  const files = {
    'index.html': '<html>root v1</html>',
    'main.js': 'console.log("v1")',
    'styles/site.css': 'body { color: red }',
    'assets/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'docs/index.html': '<html>docs</html>',
    'data/big.json': JSON.stringify({ values: Array.from({ length: 200 }, (_, i) => i) }),
    'ünï code/file name.txt': 'unicode',
    'empty.txt': '',
  };

  beforeAll(async () => {
    t = await startTestApp();
    // Any authenticated user of the tenant may load the app: no application role needed.
    plainUser = await createUser(t, { userName: 'plain-user', roles: [] });
    other = await createTenant(t, 'otherserving');
    app = await createHostedApp(t);
    await uploadOk(t, app.id, zipOf(files));
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (urlPath: string, auth = plainUser.auth) =>
    request(t.server).get(urlPath).set('Authorization', auth);

  it('serves index.html for the root and redirects the bare context path to it', async () => {
    const root = await get(`/apps/${app.contextPath}/`);
    expect(root.status).toBe(200);
    expect(root.text).toBe(files['index.html']);
    expect(root.headers['content-type']).toMatch(/^text\/html/);
    const bare = await get(`/apps/${app.contextPath}?x=1`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`${t.baseUrl}/apps/${app.contextPath}/?x=1`);
  });

  it.each([
    ['main.js', /^(application|text)\/javascript/],
    ['styles/site.css', /^text\/css/],
    ['assets/logo.svg', /^image\/svg\+xml/],
    ['data/big.json', /^application\/json/],
  ])('serves %s with its content type', async (file, type) => {
    const response = await get(`/apps/${app.contextPath}/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(type);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-length']).toBe(
      String(Buffer.byteLength(files[file as keyof typeof files])),
    );
  });

  it('serves percent-encoded names and empty files', async () => {
    const unicode = await get(
      `/apps/${app.contextPath}/${encodeURIComponent('ünï code')}/${encodeURIComponent('file name.txt')}`,
    );
    expect(unicode.status).toBe(200);
    expect(unicode.text).toBe('unicode');
    const empty = await get(`/apps/${app.contextPath}/empty.txt`);
    expect(empty.status).toBe(200);
    expect(empty.headers['content-length']).toBe('0');
  });

  it('serves index.html for a directory and redirects a directory without its slash', async () => {
    const docs = await get(`/apps/${app.contextPath}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.text).toBe('<html>docs</html>');
    const bare = await get(`/apps/${app.contextPath}/docs`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`${t.baseUrl}/apps/${app.contextPath}/docs/`);
    // A directory without an index.html is not listed.
    expect((await get(`/apps/${app.contextPath}/styles/`)).status).toBe(404);
  });

  it('answers ETag/Last-Modified revalidation with 304 and serves ranges', async () => {
    const first = await get(`/apps/${app.contextPath}/main.js`);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers['last-modified']).toBeDefined();
    expect(first.headers['cache-control']).toBe('no-cache');
    expect((await get(`/apps/${app.contextPath}/main.js`).set('If-None-Match', etag)).status).toBe(304);
    expect(
      (await get(`/apps/${app.contextPath}/main.js`).set('If-Modified-Since', first.headers['last-modified']))
        .status,
    ).toBe(304);
    // Another file of the same archive has another tag.
    const css = await get(`/apps/${app.contextPath}/styles/site.css`).set('If-None-Match', etag);
    expect(css.status).toBe(200);

    const range = await get(`/apps/${app.contextPath}/main.js`).set('Range', 'bytes=0-6');
    expect(range.status).toBe(206);
    expect(range.text).toBe('console');
    expect(range.headers['content-range']).toBe(`bytes 0-6/${files['main.js'].length}`);
    const unsatisfiable = await get(`/apps/${app.contextPath}/main.js`).set('Range', 'bytes=9999-');
    expect(unsatisfiable.status).toBe(416);
  });

  it('answers HEAD with headers only', async () => {
    const response = await request(t.server)
      .head(`/apps/${app.contextPath}/main.js`)
      .set('Authorization', plainUser.auth);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(files['main.js'].length));
  });

  it('asks for credentials with 401 and WWW-Authenticate: Basic', async () => {
    const response = await request(t.server).get(`/apps/${app.contextPath}/`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await get(
      `/apps/${app.contextPath}/`,
      `Basic ${Buffer.from('management/plain-user:nope').toString('base64')}`,
    );
    expect(wrong.status).toBe(401);
  });

  it('does not serve one tenant’s application to another tenant', async () => {
    const response = await get(`/apps/${app.contextPath}/`, other.auth);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'applications/Not Found' });
  });

  it.each([
    ['an unknown file', 'nope.js'],
    ['a traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['an encoded dot segment', '%2E%2E/index.html'],
    ['a backslash', 'docs%5Cindex.html'],
  ])('answers 404 for %s', async (_label, tail) => {
    const response = await get(`/apps/${app.contextPath}/${tail}`);
    expect(response.status).toBe(404);
    expect((response.body as { error: string }).error).toBe('applications/Not Found');
  });

  it('refuses a NUL byte in the path with a 422, as on every route', async () => {
    const response = await get(`/apps/${app.contextPath}/main.js%00.png`);
    expect(response.status).toBe(422);
    expect((response.body as { error: string }).error).toBe('applications/Invalid Data');
  });

  it('answers malformed percent-encoding with a Cumulocity 400', async () => {
    const response = await get(`/apps/${app.contextPath}/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toBe('applications/Bad Request');
  });

  it('answers 404 for unknown context paths and for applications without an archive', async () => {
    expect((await get('/apps/no-such-app/')).status).toBe(404);
    const empty = await createHostedApp(t);
    expect((await get(`/apps/${empty.contextPath}/`)).status).toBe(404);
  });

  it('shows another activated archive on the next request here, and at once in every other process', async () => {
    const served = await createHostedApp(t);
    const v1 = await uploadOk(t, served.id, zipOf({ 'index.html': 'version one' }));
    // A second server process on the same database and blob store, with its own extraction cache.
    const second = await startTestApp({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir });
    try {
      const fromSecond = () =>
        request(second.server).get(`/apps/${served.contextPath}/`).set('Authorization', plainUser.auth);
      /** The other process learns of a change by a PostgreSQL notification: wait for it, bounded. */
      const eventually = async (fetch: () => Promise<{ text: string }>, text: string) => {
        let seen = (await fetch()).text;
        for (let attempt = 0; attempt < 100 && seen !== text; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen = (await fetch()).text;
        }
        expect(seen).toBe(text);
      };
      expect((await get(`/apps/${served.contextPath}/`)).text).toBe('version one');
      expect((await fromSecond()).text).toBe('version one');

      await uploadOk(t, served.id, zipOf({ 'index.html': 'version two' }));
      expect((await get(`/apps/${served.contextPath}/`)).text).toBe('version two');
      await eventually(fromSecond, 'version two');

      const activated = await request(second.server)
        .put(`/application/applications/${served.id}`)
        .set('Authorization', t.auth())
        .send({ activeVersionId: v1 });
      expect(activated.status).toBe(200);
      expect((await fromSecond()).text).toBe('version one');
      await eventually(() => get(`/apps/${served.contextPath}/`), 'version one');
    } finally {
      await second.close();
    }
  });

  it('stops serving a deleted application', async () => {
    const doomed = await createHostedApp(t);
    await uploadOk(t, doomed.id, zipOf({ 'index.html': 'bye' }));
    expect((await get(`/apps/${doomed.contextPath}/`)).status).toBe(200);
    await request(t.server).delete(`/application/applications/${doomed.id}`).set('Authorization', t.auth());
    expect((await get(`/apps/${doomed.contextPath}/`)).status).toBe(404);
  });
});
