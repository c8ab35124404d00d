import request from 'supertest';
import { createTenant, type CreatedTenant } from '../support/factories';
import {
  createHostedApp,
  JSON_ACCEPT,
  uploadArchive,
  uploadOk,
  type CreatedApp,
} from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';

/** `/apps/public/{contextPath}/...`: the files of applications marked `"public": true`, no credentials. */
describe('serving /apps/public/{contextPath}', () => {
  let t: TestApp;
  let other: CreatedTenant;
  let open: CreatedApp;
  let closed: CreatedApp;
  const files = { 'index.html': '<html>public</html>', 'options.json': '{"brand":"x"}' };

  beforeAll(async () => {
    t = await startTestApp();
    other = await createTenant(t, 'otherpublic');
    open = await createHostedApp(t, { public: true });
    await uploadOk(t, open.id, zipOf(files));
    closed = await createHostedApp(t);
    await uploadOk(t, closed.id, zipOf({ 'index.html': '<html>private</html>' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  const anonymous = (urlPath: string) => request(t.server).get(urlPath);
  const put = (app: CreatedApp, body: Record<string, unknown>, auth = t.auth()) =>
    request(t.server)
      .put(`/application/applications/${app.id}`)
      .set('Authorization', auth)
      .set('Accept', JSON_ACCEPT)
      .send(body);

  it('serves a public application without credentials, the same bytes as /apps/{contextPath}', async () => {
    const root = await anonymous(`/apps/public/${open.contextPath}/`);
    expect(root.status).toBe(200);
    expect(root.text).toBe(files['index.html']);
    expect(root.headers['cache-control']).toBe('no-cache');
    const json = await anonymous(`/apps/public/${open.contextPath}/options.json?nocache=1234`);
    expect(json.status).toBe(200);
    expect(json.text).toBe(files['options.json']);
    const authenticated = await request(t.server)
      .get(`/apps/${open.contextPath}/options.json`)
      .set('Authorization', t.auth());
    expect(authenticated.text).toBe(json.text);
    expect(authenticated.headers.etag).toBe(json.headers.etag);
    expect(open.body.public).toBe(true);
  });

  it('ignores credentials there, even wrong ones, and redirects the bare context path', async () => {
    const wrong = await anonymous(`/apps/public/${open.contextPath}/`).set(
      'Authorization',
      `Basic ${Buffer.from('management/nobody:wrong').toString('base64')}`,
    );
    expect(wrong.status).toBe(200);
    const bare = await anonymous(`/apps/public/${open.contextPath}`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`${t.baseUrl}/apps/public/${open.contextPath}/`);
  });

  it('answers 404 for an application that is not public, exactly as for one that does not exist', async () => {
    const notPublic = await anonymous(`/apps/public/${closed.contextPath}/`);
    const missing = await anonymous('/apps/public/no-such-app/');
    expect(notPublic.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(notPublic.headers['cache-control']).toBe('no-store');
    expect(notPublic.text.replace(closed.contextPath, 'X')).toBe(missing.text.replace('no-such-app', 'X'));
    // The private application itself still needs credentials at /apps.
    expect((await anonymous(`/apps/${closed.contextPath}/`)).status).toBe(401);
  });

  it('follows the public flag from the next request on', async () => {
    const app = await createHostedApp(t);
    await uploadOk(t, app.id, zipOf({ 'index.html': 'flip' }));
    const url = `/apps/public/${app.contextPath}/`;
    expect((await anonymous(url)).status).toBe(404);
    expect((await put(app, { public: true })).status).toBe(200);
    expect((await anonymous(url)).text).toBe('flip');
    expect((await put(app, { public: false })).status).toBe(200);
    expect((await anonymous(url)).status).toBe(404);
    expect((await put(app, { public: true })).status).toBe(200);
    expect((await put(app, { public: null })).status).toBe(200);
    expect((await anonymous(url)).status).toBe(404);
  });

  it('follows a renamed context path and a new active archive', async () => {
    const app = await createHostedApp(t, { public: true });
    await uploadOk(t, app.id, zipOf({ 'index.html': 'one' }));
    expect((await anonymous(`/apps/public/${app.contextPath}/`)).text).toBe('one');
    await uploadOk(t, app.id, zipOf({ 'index.html': 'two' }));
    expect((await anonymous(`/apps/public/${app.contextPath}/`)).text).toBe('two');
    const renamed = `${app.contextPath}-renamed`;
    expect((await put(app, { contextPath: renamed })).status).toBe(200);
    expect((await anonymous(`/apps/public/${app.contextPath}/`)).status).toBe(404);
    expect((await anonymous(`/apps/public/${renamed}/`)).text).toBe('two');
  });

  it('refuses a "public" that is not a boolean and the reserved context path "public"', async () => {
    const notBoolean = await put(open, { public: 'yes' });
    expect(notBoolean.status).toBe(422);
    expect((notBoolean.body as { error: string }).error).toBe('applications/Invalid Data');
    const reserved = await request(t.server)
      .post('/application/applications')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ name: 'pub', key: 'pub-key', type: 'HOSTED', contextPath: 'Public' });
    expect(reserved.status).toBe(422);
  });

  it('serves public applications of every tenant; the oldest keeps a context path two tenants made public', async () => {
    const theirs = await createHostedApp(t, { public: true }, other.auth);
    expect((await uploadArchive(t, theirs.id, zipOf({ 'index.html': 'theirs' }), other.auth)).status).toBe(
      201,
    );
    expect((await anonymous(`/apps/public/${theirs.contextPath}/`)).text).toBe('theirs');
    // The other tenant's application is still not served to this tenant under /apps.
    const own = await request(t.server).get(`/apps/${theirs.contextPath}/`).set('Authorization', t.auth());
    expect(own.status).toBe(404);

    // A newer application of another tenant with the same context path does not take it over.
    const later = await createHostedApp(t, { public: true, contextPath: open.contextPath }, other.auth);
    expect(later.contextPath).toBe(open.contextPath);
    expect((await uploadArchive(t, later.id, zipOf({ 'index.html': 'later' }), other.auth)).status).toBe(201);
    expect((await anonymous(`/apps/public/${open.contextPath}/`)).text).toBe(files['index.html']);
  });
});
