import { Role } from '@depot/common';
import request from 'supertest';
import { createTenant, createUser } from '../support/factories';
import { basicAuth, startTestApp, type TestApp } from '../support/test-app';

const ERROR_TYPE = /^application\/vnd\.com\.nsn\.cumulocity\.error\+json/;

describe('Basic authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_MAX_FAILURES: '3', AUTH_LOCKOUT_SECONDS: '30' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts tenant/user:password', async () => {
    const response = await request(t.server).get('/user/currentUser').set('Authorization', t.auth());
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'admin', userName: 'admin' });
  });

  it('accepts user:password in the bootstrap tenant', async () => {
    const response = await request(t.server)
      .get('/tenant/currentTenant')
      .set('Authorization', basicAuth(undefined, t.admin.user, t.admin.password));
    expect(response.status).toBe(200);
    expect(response.body.name).toBe('management');
  });

  it('accepts a lower-case scheme and header name, and ignores UseXBasic', async () => {
    const response = await request(t.server)
      .get('/user/currentUser')
      .set('authorization', t.auth().replace('Basic', 'basic'))
      .set('UseXBasic', 'true');
    expect(response.status).toBe(200);
  });

  it('answers missing credentials with 401 security/Unauthorized', async () => {
    const response = await request(t.server).get('/user/currentUser');
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(ERROR_TYPE);
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
    expect(response.body).toMatchObject({ error: 'security/Unauthorized', info: expect.any(String) });
  });

  it.each([
    ['a wrong password', () => t.auth('admin', 'wrong-password')],
    ['an unknown user', () => t.auth('nobody', 'whatever')],
    ['an unknown tenant', () => t.auth('admin', t.admin.password, 'nosuchtenant')],
    ['a non-Basic scheme', () => 'Bearer abc.def.ghi'],
    ['garbage', () => 'Basic !!!'],
    ['no colon', () => `Basic ${Buffer.from('admin').toString('base64')}`],
  ])('answers %s with 401', async (_case, header) => {
    const response = await request(t.server).get('/user/currentUser').set('Authorization', header());
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('security/Unauthorized');
  });

  it('throttles repeated failures for one user from one address with 429 and Retry-After', async () => {
    const user = await createUser(t, { userName: 'guesser-target', roles: [] });
    const wrong = basicAuth(user.tenant, user.userName, 'not-the-password');
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await request(t.server).get('/user/currentUser').set('Authorization', wrong);
      expect(response.status).toBe(401);
    }
    const locked = await request(t.server).get('/user/currentUser').set('Authorization', user.auth);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['content-type']).toMatch(ERROR_TYPE);
    expect(locked.body.error).toBe('security/Too Many Requests');
    // Other users are not affected.
    const admin = await request(t.server).get('/user/currentUser').set('Authorization', t.auth());
    expect(admin.status).toBe(200);
  });

  it('stops accepting a cached login once the password changes', async () => {
    const user = await createUser(t, { userName: 'rotating', roles: [] });
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      200,
    );
    const changed = await request(t.server)
      .put(`/user/${user.tenant}/users/${user.userName}`)
      .set('Authorization', t.auth())
      .send({ password: 'a-new-password' });
    expect(changed.status).toBe(200);
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      401,
    );
    const fresh = basicAuth(user.tenant, user.userName, 'a-new-password');
    expect((await request(t.server).get('/user/currentUser').set('Authorization', fresh)).status).toBe(200);
  });

  it('stops accepting a cached login once the user is deleted', async () => {
    const user = await createUser(t, { userName: 'leaver', roles: [] });
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      200,
    );
    const deleted = await request(t.server)
      .delete(`/user/${user.tenant}/users/leaver`)
      .set('Authorization', t.auth());
    expect(deleted.status).toBe(204);
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      401,
    );
  });

  it('refuses a disabled user', async () => {
    const user = await createUser(t, { userName: 'sleeper', roles: [] });
    await request(t.server)
      .put(`/user/${user.tenant}/users/sleeper`)
      .set('Authorization', t.auth())
      .send({ enabled: false })
      .expect(200);
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      401,
    );
  });

  it('denies a route to a user without its role (403 security/Forbidden)', async () => {
    const user = await createUser(t, { userName: 'plain', roles: [Role.InventoryRead] });
    const response = await request(t.server)
      .get(`/user/${user.tenant}/users`)
      .set('Authorization', user.auth);
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(ERROR_TYPE);
    expect(response.body.error).toBe('security/Forbidden');
  });

  it('isolates tenants: another tenant is a 404, its users cannot log in here', async () => {
    const acme = await createTenant(t, 'acme');
    const own = await request(t.server).get('/user/currentUser').set('Authorization', acme.auth);
    expect(own.status).toBe(200);
    const foreign = await request(t.server).get('/user/management/users').set('Authorization', acme.auth);
    expect(foreign.status).toBe(404);
    const foreignUser = await request(t.server)
      .get('/user/management/users/admin')
      .set('Authorization', acme.auth);
    expect(foreignUser.status).toBe(404);
    const wrongTenant = await request(t.server)
      .get('/user/currentUser')
      .set('Authorization', basicAuth('management', 'admin', acme.admin.password));
    expect(wrongTenant.status).toBe(401);
  });
});
