import request from 'supertest';
import { multipart, multipartType } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * U+0000 cannot be stored or compared in PostgreSQL text, and deeply nested JSON overflows the
 * recursive code that stores it: both are refused at the edge with a Cumulocity 422, on every route,
 * before they reach a query (never a 500, never an error in the log).
 */
describe('U+0000 and deep nesting', () => {
  let t: TestApp;
  let objectId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const uploaded = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', 'application/json')
      .set('Content-Type', multipartType())
      .send(
        multipart([
          { name: 'object', body: JSON.stringify({ name: 'n.txt', type: 'text/plain' }) },
          { name: 'file', filename: 'n.txt', contentType: 'text/plain', body: 'n' },
        ]),
      );
    expect(uploaded.status).toBe(201);
    objectId = (uploaded.body as { id: string }).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** `text` as the JSON body of a PUT or POST, as the admin. */
  function sendJson(method: 'put' | 'post', url: string, text: string, type = 'application/json') {
    const agent = request(t.server);
    return (method === 'put' ? agent.put(url) : agent.post(url))
      .set('Authorization', t.auth())
      .set('Accept', 'application/json')
      .set('Content-Type', type)
      .send(text);
  }

  function expectInvalid(response: request.Response, resource: string): void {
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/cumulocity\.error\+json/);
    expect(response.body).toMatchObject({ error: `${resource}/Invalid Data`, info: expect.any(String) });
  }

  it.each([
    ['/inventory/binaries?text=%00', 'inventory'],
    ['/inventory/binaries?type=a%00', 'inventory'],
    ['/inventory/binaries?owner=%00admin', 'inventory'],
    ['/application/applications?name=%00', 'applications'],
    ['/application/applicationsByName/a%00b', 'applications'],
    ['/user/%00/users', 'users'],
    ['/user/management/users/%00', 'users'],
    ['/tenant/tenants/%00', 'tenants'],
    ['/inventory/managedObjects/1%00', 'inventory'],
    ['/apps/%00/', 'applications'],
  ])('refuses %s', async (url, resource) => {
    expectInvalid(await request(t.server).get(url).set('Authorization', t.auth()), resource);
  });

  it('treats an encoded percent sign as text, not as U+0000', async () => {
    const response = await request(t.server)
      .get('/inventory/binaries?type=%2500')
      .set('Authorization', t.auth());
    expect(response.status).toBe(200);
  });

  it.each([
    [
      'a managed-object PUT',
      'put',
      (): string => `/inventory/managedObjects/${objectId}`,
      { c8y_Note: 'a\u0000b' },
      'inventory',
    ],
    [
      'a fragment key',
      'put',
      (): string => `/inventory/managedObjects/${objectId}`,
      { 'c8y\u0000Key': 1 },
      'inventory',
    ],
    [
      'an application',
      'post',
      (): string => '/application/applications',
      { name: 'n\u0000', key: 'k', type: 'HOSTED', contextPath: 'nul' },
      'applications',
    ],
    [
      'a user',
      'post',
      (): string => '/user/management/users',
      { userName: 'nul\u0000user', password: 'password-123', email: 'n@example.com' },
      'users',
    ],
    [
      'a tenant',
      'post',
      (): string => '/tenant/tenants',
      {
        id: 'nultenant',
        company: 'Nul\u0000 Inc.',
        domain: 'nul.example.com',
        adminName: 'admin',
        adminPass: 'password-123',
      },
      'tenants',
    ],
  ] as const)('refuses U+0000 in %s body', async (_label, method, url, body, resource) => {
    expectInvalid(await sendJson(method, url(), JSON.stringify(body)), resource);
  });

  it.each([5_000, 100_000])('refuses %d levels of nesting in a managed-object PUT', async (depth) => {
    const deep = `{"c8y_Deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expectInvalid(await sendJson('put', `/inventory/managedObjects/${objectId}`, deep), 'inventory');
  });

  it.each([5_000, 100_000])('refuses %d levels of nesting in an application POST', async (depth) => {
    const deep = `{"name":"deep","key":"deep-key","type":"HOSTED","contextPath":"deep","x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const response = await sendJson(
      'post',
      '/application/applications',
      deep,
      'application/vnd.com.nsn.cumulocity.application+json',
    );
    expectInvalid(response, 'applications');
  });

  it.each([
    ['U+0000 in the object part', { name: 'object', body: '{"name":"a\\u0000b"}' }, 'file.txt'],
    [
      'a deep object part',
      { name: 'object', body: `{"c8y_Deep":${'['.repeat(5000)}${']'.repeat(5000)}}` },
      'f',
    ],
    ['U+0000 in the file name the name comes from', undefined, 'a\u0000b.txt'],
  ])('refuses an upload with %s, and keeps nothing', async (_label, objectPart, fileName) => {
    const before = await request(t.server)
      .get('/inventory/binaries?withTotalElements=true')
      .set('Authorization', t.auth());
    const parts = [
      ...(objectPart ? [objectPart] : []),
      { name: 'file', filename: fileName, contentType: 'text/plain', body: 'content' },
    ];
    const response = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Content-Type', multipartType())
      .send(multipart(parts));
    expectInvalid(response, 'inventory');
    const after = await request(t.server)
      .get('/inventory/binaries?withTotalElements=true')
      .set('Authorization', t.auth());
    expect((after.body as { statistics: unknown }).statistics).toEqual(
      (before.body as { statistics: unknown }).statistics,
    );
  });

  it('still takes 64 levels, and JSON content on the streamed binary PUT untouched', async () => {
    const deep = `{"c8y_Deep":${'['.repeat(63)}${']'.repeat(63)}}`;
    expect((await sendJson('put', `/inventory/managedObjects/${objectId}`, deep)).status).toBe(200);
    // The binaries PUT streams its body as the new content, even JSON, even with U+0000 in it.
    const content = `{"a":"\\u0000","deep":${'['.repeat(1000)}${']'.repeat(1000)}}`;
    expect((await sendJson('put', `/inventory/binaries/${objectId}`, content)).status).toBe(201);
    const downloaded = await request(t.server)
      .get(`/inventory/binaries/${objectId}`)
      .set('Authorization', t.auth())
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(null, text));
      });
    expect(downloaded.body).toBe(content);
  });
});
