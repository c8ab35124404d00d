import { startTestApp, type TestApp } from '../support/test-app';
import { json, randomContent, rawRequest, type RawResponse } from './binaries-test-kit';
import { multipart, multipartType } from '../support/multipart';

describe('GET/HEAD /inventory/binaries/{id}', () => {
  let app: TestApp;
  const content = randomContent(10_000);
  let id: string;
  let etag: string;

  beforeAll(async () => {
    app = await startTestApp();
    const created = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ name: 'page.html' }) },
        { name: 'file', filename: 'page.html', contentType: 'text/html', body: content },
      ]),
    });
    id = String(json(created).id);
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method,
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth(), ...headers },
    });

  it('streams the bytes with type, length, disposition, validators and the sandboxing headers', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(Buffer.compare(response.body, content)).toBe(0);
    expect(response.headers['content-type']).toBe('text/html');
    expect(response.headers['content-length']).toBe(String(content.length));
    expect(response.headers['content-disposition']).toBe('attachment; filename="page.html"');
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe('sandbox');
    expect(response.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(Date.parse(String(response.headers['last-modified']))).not.toBeNaN();
    etag = String(response.headers.etag);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const response = await get({}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(response.headers['content-length']).toBe(String(content.length));
    expect(response.headers.etag).toBe(etag);
    expect(response.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it.each([
    ['bytes=0-0', 0, 0],
    ['bytes=100-199', 100, 199],
    ['bytes=9990-', 9990, 9999],
    ['bytes=-10', 9990, 9999],
    ['bytes=9000-20000', 9000, 9999],
  ])('serves %s as 206 with Content-Range', async (range, start, end) => {
    const response = await get({ range });
    expect(response.status).toBe(206);
    expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/${content.length}`);
    expect(response.headers['content-length']).toBe(String(end - start + 1));
    expect(Buffer.compare(response.body, content.subarray(start, end + 1))).toBe(0);
  });

  it('answers 416 with Content-Range for an unsatisfiable range', async () => {
    const response = await get({ range: 'bytes=10000-' });
    expect(response.status).toBe(416);
    expect(response.headers['content-range']).toBe(`bytes */${content.length}`);
    expect(json(response).error).toBe('inventory/Range Not Satisfiable');
  });

  it('ignores several ranges and serves the whole content', async () => {
    const response = await get({ range: 'bytes=0-1,5-6' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(content.length);
  });

  it('answers 304 to a matching If-None-Match, 200 to another tag', async () => {
    const notModified = await get({ 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(etag);
    expect((await get({ 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('honours If-Range: the range while the tag matches, the whole content otherwise', async () => {
    const partial = await get({ range: 'bytes=0-9', 'if-range': etag });
    expect(partial.status).toBe(206);
    expect(partial.body.length).toBe(10);
    const full = await get({ range: 'bytes=0-9', 'if-range': '"stale"' });
    expect(full.status).toBe(200);
    expect(full.body.length).toBe(content.length);
  });
  it('keeps the headers of a long CJK name under 8 KiB; filename* decodes to the start of the name', async () => {
    const name = '漢字'.repeat(500);
    const created = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ name }) },
        { name: 'file', filename: 'x', contentType: 'text/plain', body: 'hello' },
      ]),
    });
    expect(json(created).name).toBe(name);
    for (const method of ['GET', 'HEAD']) {
      const response = await rawRequest(app.baseUrl, {
        method,
        path: `/inventory/binaries/${String(json(created).id)}`,
        headers: { authorization: app.auth() },
      });
      expect(response.status).toBe(200);
      const headerBytes = Object.entries(response.headers).reduce(
        (sum, [key, value]) => sum + key.length + String(value).length + 4,
        0,
      );
      expect(headerBytes).toBeLessThan(8 * 1024);
      const encoded = /filename\*=UTF-8''([^;]+)/.exec(String(response.headers['content-disposition']))![1];
      const decoded = decodeURIComponent(encoded);
      expect(decoded.length).toBeGreaterThan(50);
      expect(name.startsWith(decoded)).toBe(true);
    }
  });
});
