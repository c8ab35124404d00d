import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('console: serving /console/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('redirects / to /console/, and /console to /console/', async () => {
    const root = await request(t.server).get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
    const bare = await request(t.server).get('/console');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves the page without credentials, under a strict Content-Security-Policy', async () => {
    const page = await request(t.server).get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="/console/app.js">');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers every page of the single-page app (the login included) with index.html', async () => {
    const index = await request(t.server).get('/console/');
    for (const path of ['/console/login', '/console/files', '/console/applications/12']) {
      const page = await request(t.server).get(path);
      expect(page.status).toBe(200);
      expect(page.text).toBe(index.text);
    }
  });

  it('serves the scripts as JavaScript and answers unknown or outside files with a Cumulocity 404', async () => {
    const script = await request(t.server).get('/console/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    const css = await request(t.server).get('/console/console.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const path of ['/console/missing.js', '/console/tsconfig.json', '/console/..%2Fsrc%2Findex.ts']) {
      const missing = await request(t.server).get(path).set('Accept', 'application/json');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: 'console/Not Found' });
    }
  });

  it('answers conditional requests with 304', async () => {
    const first = await request(t.server).get('/console/app.js');
    const again = await request(t.server).get('/console/app.js').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
  });

  it('tells the login page the bootstrap tenant', async () => {
    const settings = await request(t.server).get('/console/settings.json');
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ tenant: t.admin.tenant });
  });
});
