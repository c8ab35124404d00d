import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { asBytes, createHostedAppWithFiles, type HostedApp } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';

/** HTTP rules of hosted files: query strings, real 404s, caching, precompressed copies, no CSP. */
describe('serving /apps: caching and content negotiation', () => {
  let t: TestApp;
  let app: HostedApp;
  const script = `console.log(${JSON.stringify('x'.repeat(5000))});`;
  // Past the in-memory cache's 512 KiB: served from the extracted file on disk, in 64 KiB reads.
  const large = randomBytes(700 * 1024 + 17);
  const files = {
    'index.html': '<html>root</html>',
    'assets/large.bin': large,
    'main.js': script,
    'main.js.br': brotliCompressSync(script),
    'main.js.gz': gzipSync(script),
    'only-gz.css': 'body { color: blue }',
    'only-gz.css.gz': gzipSync('body { color: blue }'),
    'plain.js': 'plain()',
  };

  beforeAll(async () => {
    t = await startTestApp();
    app = await createHostedAppWithFiles(t, files);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (file: string) =>
    request(t.server)
      .get(`/apps/${app.contextPath}/${file}`)
      .set('Authorization', t.auth())
      .buffer(true)
      .parse(asBytes);

  it('serves a file too large to cache from disk, whole and as a range, byte for byte', async () => {
    for (let round = 0; round < 2; round++) {
      const whole = await get('assets/large.bin');
      expect(whole.status).toBe(200);
      expect((whole.body as Buffer).equals(large)).toBe(true);
    }
    const range = await get('assets/large.bin').set('Range', 'bytes=65530-400000');
    expect(range.status).toBe(206);
    expect((range.body as Buffer).equals(large.subarray(65530, 400001))).toBe(true);
  });

  it('ignores the query string: same file, same ETag', async () => {
    const plain = await get('main.js').set('Accept-Encoding', 'identity');
    const busted = await get('main.js?nocache=1234&v=2').set('Accept-Encoding', 'identity');
    expect(busted.status).toBe(200);
    expect((busted.body as Buffer).toString()).toBe(script);
    expect(busted.headers.etag).toBe(plain.headers.etag);
  });

  it.each(['missing.js', 'chunks/310.abc.js', 'some/route', 'index.htm'])(
    'answers a missing %s with a JSON 404 that no cache keeps, never index.html',
    async (file) => {
      const response = await get(file).set('Accept', 'text/html');
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(
        /^application\/vnd\.com\.nsn\.cumulocity\.error\+json/,
      );
      expect(response.headers['cache-control']).toBe('no-store');
      expect((response.body as Buffer).toString()).not.toContain('<html>');
    },
  );

  it('sends no Content-Security-Policy on hosted files, and nosniff', async () => {
    for (const file of ['', 'main.js', 'only-gz.css']) {
      const response = await get(file);
      expect(response.status).toBe(200);
      expect(response.headers['content-security-policy']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('compares If-None-Match weakly: a W/ tag, a list and * all give 304', async () => {
    const first = await get('plain.js');
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    for (const header of [etag, `W/${etag}`, `"other", W/${etag}`, '*']) {
      const revalidated = await get('plain.js').set('If-None-Match', header);
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.etag).toBe(etag);
      expect(revalidated.headers['cache-control']).toBe('no-cache');
    }
    expect((await get('plain.js').set('If-None-Match', '"other"')).status).toBe(200);
  });

  it('serves main.js.br for main.js when br is accepted, with its own ETag and Vary', async () => {
    const identity = await get('main.js').set('Accept-Encoding', 'identity');
    const br = await get('main.js').set('Accept-Encoding', 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-length']).toBe(String(files['main.js.br'].length));
    // superagent decodes the body; the length above shows the compressed copy was sent.
    expect((br.body as Buffer).toString()).toBe(script);
    expect(br.headers.etag).not.toBe(identity.headers.etag);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect((identity.body as Buffer).toString()).toBe(script);
    // Revalidating the br copy with its tag: 304, still varying.
    const revalidated = await get('main.js')
      .set('Accept-Encoding', 'br')
      .set('If-None-Match', br.headers.etag);
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.vary).toBe('Accept-Encoding');
  });

  it('serves the gzip copy when br is refused (q=0) or not offered', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip', 'gzip;q=1, br;q=0.1']) {
      const gz = await get('main.js').set('Accept-Encoding', accept);
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers['content-length']).toBe(String(files['main.js.gz'].length));
      expect((gz.body as Buffer).toString()).toBe(script);
    }
    const onlyGz = await get('only-gz.css').set('Accept-Encoding', 'br, gzip');
    expect(onlyGz.headers['content-encoding']).toBe('gzip');
    expect(onlyGz.headers['content-type']).toMatch(/^text\/css/);
  });

  it('serves ranges from the identity file only', async () => {
    const range = await get('main.js').set('Accept-Encoding', 'br').set('Range', 'bytes=0-10');
    expect(range.status).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect((range.body as Buffer).toString()).toBe(script.slice(0, 11));
    expect(range.headers['content-range']).toBe(`bytes 0-10/${script.length}`);
  });

  it('serves a .gz file asked for by its own name as it is, and plain files without Vary', async () => {
    const raw = await get('main.js.gz').set('Accept-Encoding', 'gzip');
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(Buffer.compare(raw.body as Buffer, files['main.js.gz'])).toBe(0);
    const plain = await get('plain.js').set('Accept-Encoding', 'br, gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBeUndefined();
  });

  it('answers HEAD for a precompressed copy with its headers only', async () => {
    const head = await request(t.server)
      .head(`/apps/${app.contextPath}/main.js`)
      .set('Authorization', t.auth())
      .set('Accept-Encoding', 'br');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(String(files['main.js.br'].length));
  });

  it('answers a URL pinned to a version it does not know with 404', async () => {
    const response = await request(t.server)
      .get(`/apps/${app.contextPath}@9.9.9/main.js`)
      .set('Authorization', t.auth());
    expect(response.status).toBe(404);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  describe('the fast path ahead of the router', () => {
    /** Requests of `route` answered with `status`, from the request-duration histogram. */
    const served = async (route: string, status: string) => {
      const metrics = (await request(t.server).get('/metrics')).text;
      const series = `depot_http_request_duration_seconds_count{method="GET",route="${route}",status="${status}"}`;
      const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };

    it('serves files of callers it already knows and of public apps itself, the rest through the controller', async () => {
      const fast = await served('/apps/*', '200');
      const routed = await served('/apps/:contextPath{/*path}', '200');
      // The credentials were verified by earlier requests of this suite: known, served ahead.
      expect((await get('plain.js')).status).toBe(200);
      expect(await served('/apps/*', '200')).toBe(fast + 1);
      expect(await served('/apps/:contextPath{/*path}', '200')).toBe(routed);

      // A 404 is left to the controller, which gives its full answer.
      const missing = await get('nope.js');
      expect(missing.status).toBe(404);
      expect(await served('/apps/:contextPath{/*path}', '404')).toBeGreaterThan(0);

      // Credentials it has not seen verified go through the guard (here: refused there).
      const unknown = await request(t.server)
        .get(`/apps/${app.contextPath}/plain.js`)
        .set('Authorization', `Basic ${Buffer.from('management/admin:not-the-password').toString('base64')}`);
      expect(unknown.status).toBe(401);
      expect(await served('/apps/*', '200')).toBe(fast + 1);
    });
  });
});
