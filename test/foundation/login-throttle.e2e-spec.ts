import { PasswordHasher } from '@depot/auth';
import request from 'supertest';
import { createUser } from '../support/factories';
import { basicAuth, startTestApp, type TestApp } from '../support/test-app';

const ERROR_TYPE = /^application\/vnd\.com\.nsn\.cumulocity\.error\+json/;

/** Answers `count` logins sent all at once, by status. */
async function loginAtOnce(t: TestApp, headers: string[]): Promise<Record<number, number>> {
  const responses = await Promise.all(
    headers.map((header) => request(t.server).get('/user/currentUser').set('Authorization', header)),
  );
  const statuses: Record<number, number> = {};
  for (const response of responses) statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  return statuses;
}

describe('login throttle under concurrency', () => {
  let t: TestApp;
  let hasher: PasswordHasher;
  beforeAll(async () => {
    t = await startTestApp({
      AUTH_MAX_FAILURES: '5',
      AUTH_MAX_FAILURES_PER_ADDRESS: '1000',
      AUTH_LOCKOUT_SECONDS: '30',
    });
    hasher = t.app.get(PasswordHasher);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('checks at most AUTH_MAX_FAILURES passwords of 41 parallel wrong logins for one user', async () => {
    const user = await createUser(t, { userName: 'parallel-target', roles: [] });
    const before = hasher.derivations;
    const guesses = Array.from({ length: 41 }, (_, i) => basicAuth(user.tenant, user.userName, `guess-${i}`));
    const statuses = await loginAtOnce(t, guesses);
    expect(hasher.derivations - before).toBeLessThanOrEqual(5);
    expect(statuses).toEqual({ 401: 5, 429: 36 });
    // Locked whatever the password, and without a hash.
    const locked = await request(t.server).get('/user/currentUser').set('Authorization', user.auth);
    expect(locked.status).toBe(429);
    expect(locked.headers['content-type']).toMatch(ERROR_TYPE);
    expect(hasher.derivations - before).toBeLessThanOrEqual(5);
  });

  it('hashes once for parallel requests with one credential (the same wrong guess counts once)', async () => {
    const user = await createUser(t, { userName: 'same-guess', roles: [] });
    const before = hasher.derivations;
    const statuses = await loginAtOnce(t, Array(20).fill(basicAuth(user.tenant, user.userName, 'the-guess')));
    expect(statuses).toEqual({ 401: 20 });
    expect(hasher.derivations - before).toBe(1);
    // Only one failure was counted: the right password still works.
    const ok = await request(t.server).get('/user/currentUser').set('Authorization', user.auth);
    expect(ok.status).toBe(200);
  });

  it.each([
    ['the user name', () => basicAuth('management', 'ad\u0000min', t.admin.password)],
    ['the tenant', () => basicAuth('manage\u0000ment', 'admin', t.admin.password)],
    // scrypt's HMAC pads keys with zero bytes: without the check, "pw\0" logged in as "pw".
    ['the password', () => basicAuth('management', 'admin', `${t.admin.password}\u0000`)],
    ['the user name (no tenant)', () => basicAuth(undefined, '\u0000', 'x')],
  ])('refuses U+0000 in %s as 401, not a database error', async (_case, header) => {
    const response = await request(t.server).get('/user/currentUser').set('Authorization', header());
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(ERROR_TYPE);
    expect(response.body).toMatchObject({ error: 'security/Unauthorized', info: expect.any(String) });
  });
});

describe('login throttle per address', () => {
  let t: TestApp;
  let hasher: PasswordHasher;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_MAX_FAILURES_PER_ADDRESS: '10', AUTH_LOCKOUT_SECONDS: '30' });
    hasher = t.app.get(PasswordHasher);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('locks out an address that floods logins with unknown user names', async () => {
    const bystander = await createUser(t, { userName: 'bystander', roles: [] });
    const before = hasher.derivations;
    const flood = Array.from({ length: 40 }, (_, i) => basicAuth(undefined, `nobody-${i}`, `pw-${i}`));
    const statuses = await loginAtOnce(t, flood);
    expect(statuses).toEqual({ 401: 10, 429: 30 });
    expect(hasher.derivations - before).toBeLessThanOrEqual(10);
    // Every name from that address now waits, the right password included, without a hash.
    const later = await request(t.server).get('/user/currentUser').set('Authorization', bystander.auth);
    expect(later.status).toBe(429);
    expect(Number(later.headers['retry-after'])).toBeGreaterThan(0);
    expect(later.body.error).toBe('security/Too Many Requests');
    expect(hasher.derivations - before).toBeLessThanOrEqual(10);
  });
});
