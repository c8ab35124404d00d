import { BearerAuth, Client } from '@c8y/client';
import request from 'supertest';
import { createUser } from '../support/factories';
import { createHostedAppWithFiles } from '../support/hosted-app-kit';
import { bearerLogin, cookieLogin, loginForm } from '../support/session-kit';
import { startTestApp, type TestApp } from '../support/test-app';

describe('sessions: OAuth-internal bearer tokens and cookie sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const whoAmI = (headers: Record<string, string>) => request(t.server).get('/user/currentUser').set(headers);

  it('@c8y/client authenticateViaOAuthInternal: a bearer token works on every route, logout ends it', async () => {
    const client = await Client.authenticateViaOAuthInternal(
      { tenant: t.admin.tenant, user: t.admin.user, password: t.admin.password },
      t.baseUrl,
    );
    expect(client.core.tenant).toBe('management');
    const { data: me } = await client.user.current();
    expect(me.userName).toBe('admin');
    const { data: created, res } = await client.inventoryBinary.create(Buffer.from('bearer bytes'), {
      name: 'bearer.txt',
      type: 'text/plain',
    });
    expect(res.status).toBe(201);
    expect(created.name).toBe('bearer.txt');
    // The same flow on a raw token: the client keeps its own where tests cannot reach it.
    const token = await bearerLogin(t);
    const tokenClient = new Client(new BearerAuth(token), t.baseUrl);
    expect((await tokenClient.user.current()).data.userName).toBe('admin');
    const logout = await tokenClient.core.fetch('/user/logout', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    expect(logout.status).toBe(200);
    await expect(tokenClient.user.current()).rejects.toMatchObject({ res: { status: 401 } });
    const after = await whoAmI({ Authorization: `Bearer ${token}` });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: 'security/Unauthorized' });
    // The other client's session is its own: still logged in.
    expect((await client.user.current()).data.userName).toBe('admin');
  });

  it('@c8y/client authenticateViaOAuthInternalCookie (without a tenant: read from currentTenant)', async () => {
    const client = await Client.authenticateViaOAuthInternalCookie(
      { user: t.admin.user, password: t.admin.password },
      t.baseUrl,
    );
    expect(client.core.tenant).toBe('management');
    const { data: users } = await client.user.list({ pageSize: 100 });
    expect(users.map((user) => user.userName)).toContain('admin');
  });

  it('sets authorization first (HttpOnly, SameSite=Lax, Path=/), then a script-readable XSRF-TOKEN', async () => {
    const session = await cookieLogin(t);
    expect(session.setCookie).toHaveLength(2);
    const [authorization, xsrf] = session.setCookie;
    expect(authorization).toMatch(/^authorization=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(authorization).toMatch(/; HttpOnly/i);
    expect(authorization).toMatch(/; SameSite=Lax/i);
    expect(authorization).toMatch(/; Path=\//);
    expect(authorization).not.toMatch(/; Secure/i);
    expect(xsrf).toMatch(/^XSRF-TOKEN=[\w-]+;/);
    expect(xsrf).not.toMatch(/HttpOnly/i);
    expect((await whoAmI({ Cookie: session.cookie })).body).toMatchObject({ userName: 'admin' });
  });

  it('tolerates tfa_code=undefined and a Basic Authorization header beside the form', async () => {
    const response = await request(t.server)
      .post('/tenant/oauth/token')
      .set('Authorization', t.auth())
      .set('Content-Type', 'application/x-www-form-urlencoded;charset=UTF-8')
      .send(`${loginForm(t.admin.user, t.admin.password)}&tfa_code=undefined`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
  });

  it('refuses a wrong password (401), a missing field or grant (422), another body type (415)', async () => {
    const post = () => request(t.server).post('/tenant/oauth').set('Accept', 'application/json');
    const wrong = await post().type('form').send(loginForm('admin', 'wrong-password'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'security/Unauthorized' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await post().type('form').send('grant_type=PASSWORD&username=admin')).status).toBe(422);
    expect((await post().type('form').send('grant_type=CODE&username=a&password=b')).status).toBe(422);
    expect((await post().send({ grant_type: 'PASSWORD', username: 'a', password: 'b' })).status).toBe(415);
    const huge = await post()
      .type('form')
      .send(`${loginForm('admin', 'x')}&pad=${'a'.repeat(20_000)}`);
    expect(huge.status).toBe(413);
    const nul = await post().type('form').send(loginForm('ad\u0000min', 'x'));
    expect(nul.status).toBe(401);
  });

  it('needs X-XSRF-TOKEN equal to the cookie on unsafe cookie requests (403 otherwise), not on GET', async () => {
    const session = await cookieLogin(t);
    const create = (headers: Record<string, string>) =>
      request(t.server)
        .post('/user/management/users')
        .set({ Cookie: session.cookie, Accept: 'application/json', ...headers })
        .send({ userName: `xsrf-${Object.keys(headers).length}-${Date.now()}`, password: 'xsrf-user-pw' });
    const missing = await create({});
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ error: 'security/Forbidden' });
    expect((await create({ 'X-XSRF-TOKEN': 'wrong' })).status).toBe(403);
    const other = await cookieLogin(t);
    expect((await create({ 'X-XSRF-TOKEN': other.xsrf })).status).toBe(403); // another session's token
    expect((await create({ 'X-XSRF-TOKEN': session.xsrf })).status).toBe(201);
    expect((await whoAmI({ Cookie: session.cookie })).status).toBe(200);
  });

  it('logout by cookie clears the cookies and ends the session; a 401 for the stale cookie asks no Basic', async () => {
    const session = await cookieLogin(t);
    const noXsrf = await request(t.server).post('/user/logout').set('Cookie', session.cookie);
    expect(noXsrf.status).toBe(403);
    const logout = await request(t.server)
      .post('/user/logout')
      .set({ Cookie: session.cookie, 'X-XSRF-TOKEN': session.xsrf });
    expect(logout.status).toBe(200);
    const cleared = ([] as string[]).concat(logout.headers['set-cookie'] ?? []);
    expect(cleared).toEqual([
      expect.stringMatching(/^authorization=;.*Expires=Thu, 01 Jan 1970/),
      expect.stringMatching(/^XSRF-TOKEN=;.*Expires=Thu, 01 Jan 1970/),
    ]);
    const after = await whoAmI({ Cookie: session.cookie });
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toBeUndefined();
  });

  it('asks for Basic on a plain 401, not on a page script’s (X-XSRF-TOKEN or X-Requested-With)', async () => {
    expect((await whoAmI({})).headers['www-authenticate']).toMatch(/^Basic/);
    const scripts: Array<Record<string, string>> = [
      { 'X-XSRF-TOKEN': '' },
      { 'X-Requested-With': 'XMLHttpRequest' },
    ];
    for (const headers of scripts) {
      const response = await whoAmI(headers);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
  });

  it('refuses forged and tampered tokens', async () => {
    const token = await bearerLogin(t);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    expect((await whoAmI({ Authorization: `Bearer ${header}.${forged}.${signature}` })).status).toBe(401);
    expect((await whoAmI({ Authorization: 'Bearer not-a-token' })).status).toBe(401);
    // A header spelling the session's cache key must not find the cached session.
    expect((await whoAmI({ Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await whoAmI({ Authorization: `Session ${String(claims.sid)}` })).status).toBe(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect((await whoAmI({ Authorization: `Bearer ${none}.${payload}.` })).status).toBe(401);
  });

  it('applies role changes to a live session at once', async () => {
    const user = await createUser(t, { userName: 'session-roles', roles: ['ROLE_INVENTORY_READ'] as never });
    const token = await bearerLogin(t, user.userName, user.password);
    const list = () => request(t.server).get('/inventory/binaries').set('Authorization', `Bearer ${token}`);
    expect((await list()).status).toBe(200);
    const revoke = await request(t.server)
      .delete(`/user/management/users/${user.userName}/roles/ROLE_INVENTORY_READ`)
      .set('Authorization', t.auth());
    expect(revoke.status).toBe(204);
    expect((await list()).status).toBe(403);
  });

  it('redirects an HTML page request under /apps without credentials to the console login; API requests get 401', async () => {
    const app = await createHostedAppWithFiles(t, { 'index.html': '<html>hosted</html>', 'app.js': 'ok()' });
    const page = await request(t.server)
      .get(`/apps/${app.contextPath}/index.html?x=1`)
      .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(page.status).toBe(302);
    const location = new URL(String(page.headers.location));
    expect(location.pathname).toBe('/console/login');
    expect(location.searchParams.get('returnTo')).toBe(`/apps/${app.contextPath}/index.html?x=1`);
    const script = await request(t.server).get(`/apps/${app.contextPath}/app.js`).set('Accept', '*/*');
    expect(script.status).toBe(401);
    const api = await request(t.server)
      .get(`/apps/${app.contextPath}/index.html`)
      .set('Accept', 'application/json');
    expect(api.status).toBe(401);
    const post = await request(t.server).post('/inventory/binaries').set('Accept', 'text/html');
    expect(post.status).toBe(401);
    // With the cookie, the page and its scripts load (no Authorization header, as a browser sends them).
    const session = await cookieLogin(t);
    const withCookie = await request(t.server)
      .get(`/apps/${app.contextPath}/app.js`)
      .set('Cookie', session.cookie);
    expect(withCookie.status).toBe(200);
    expect(withCookie.text).toBe('ok()');
  });

  it('sets Secure on the cookies when the request came over HTTPS (trusted proxy header, https PUBLIC_URL)', async () => {
    const proxied = await startTestApp({ TRUST_PROXY: 'loopback' });
    try {
      const response = await request(proxied.server)
        .post(`/tenant/oauth`)
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send(loginForm(proxied.admin.user, proxied.admin.password));
      expect(response.status).toBe(200);
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(cookies).toHaveLength(2);
      for (const cookie of cookies) expect(cookie).toMatch(/; Secure/i);
      // Without a trusted proxy the header is ignored.
      const direct = await request(t.server)
        .post(`/tenant/oauth`)
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send(loginForm(t.admin.user, t.admin.password));
      expect(([] as string[]).concat(direct.headers['set-cookie'] ?? [])[0]).not.toMatch(/; Secure/i);
    } finally {
      await proxied.close();
    }
    // An https PUBLIC_URL says the same of a TLS-terminating proxy that sends no header.
    const behindTls = await startTestApp({ PUBLIC_URL: 'https://depot.example.com' });
    try {
      const session = await cookieLogin(behindTls);
      for (const cookie of session.setCookie) expect(cookie).toMatch(/; Secure/i);
    } finally {
      await behindTls.close();
    }
  });
});

describe('session expiry and the login throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Cached far longer than the tokens live: the cache must still drop them at their expiry.
    t = await startTestApp({ SESSION_TTL: '2s', AUTH_CACHE_SECONDS: '600', AUTH_MAX_FAILURES: '2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a token stops working at its expiry (SESSION_TTL, not sliding), cached or not', async () => {
    const token = await bearerLogin(t);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(2);
    const status = async () =>
      (await request(t.server).get('/user/currentUser').set('Authorization', `Bearer ${token}`)).status;
    expect(await status()).toBe(200);
    const deadline = Date.now() + 10_000;
    let last = 200;
    while (last === 200 && Date.now() < deadline) {
      last = await status();
      if (last === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(last).toBe(401);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(claims.exp);
  });

  it('failed form logins count towards the same throttle as Basic', async () => {
    const user = await createUser(t, { userName: 'throttled', roles: [] });
    const form = (password: string) =>
      request(t.server).post('/tenant/oauth').type('form').send(loginForm(user.userName, password));
    expect((await form('wrong-1')).status).toBe(401);
    expect((await form('wrong-2')).status).toBe(401);
    const locked = await form(user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The same counter refuses Basic for that user too.
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      429,
    );
  });
});
