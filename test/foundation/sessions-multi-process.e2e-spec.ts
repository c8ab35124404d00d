import request from 'supertest';
import { createUser, type CreatedUser } from '../support/factories';
import { bearerLogin, cookieLogin } from '../support/session-kit';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { startTestApp, type TestApp } from '../support/test-app';

/** Polls `check` until it holds (NOTIFY travels asynchronously), far below the 600 s cache. */
async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

// Process A is this jest worker's app; process B a spawned server on the same database and DATA_DIR
// (so the same generated session key). Sessions are cached for 600 s in both: only the invalidation
// can end them in B within the test.
describe('sessions across two server processes', () => {
  let a: TestApp;
  let b: SpawnedServer;
  beforeAll(async () => {
    a = await startTestApp({ AUTH_CACHE_SECONDS: '600' });
    b = await spawnServer({
      DATABASE_URL: a.databaseUrl,
      DATA_DIR: a.dataDir,
      BOOTSTRAP_PASSWORD: a.admin.password,
      AUTH_CACHE_SECONDS: '600',
      LOG_LEVEL: 'warn',
    });
  }, 120_000);
  afterAll(async () => {
    b?.kill('SIGTERM');
    await b?.exited;
    await a?.close();
  });

  const onB = (path: string, headers: Record<string, string>) => fetch(`${b.baseUrl}${path}`, { headers });
  const statusOnB = async (headers: Record<string, string>) =>
    (await onB('/user/currentUser', headers)).status;

  async function loggedIn(userName: string): Promise<{ user: CreatedUser; bearer: Record<string, string> }> {
    const user = await createUser(a, { userName, roles: ['ROLE_INVENTORY_READ'] as never });
    const bearer = { Authorization: `Bearer ${await bearerLogin(a, user.userName, user.password)}` };
    // Accepted by B with A's token (shared key), and now cached in B.
    expect(await statusOnB(bearer)).toBe(200);
    return { user, bearer };
  }

  const admin = (method: 'put' | 'delete', path: string) =>
    request(a.server)[method](path).set('Authorization', a.auth()).set('Accept', 'application/json');

  it('a token from one process works in the other; logout in one ends it in both', async () => {
    const session = await cookieLogin(a);
    const cookie = { Cookie: session.cookie };
    expect(await statusOnB(cookie)).toBe(200);
    const logout = await request(a.server)
      .post('/user/logout')
      .set({ ...cookie, 'X-XSRF-TOKEN': session.xsrf });
    expect(logout.status).toBe(200);
    expect(await until(async () => (await statusOnB(cookie)) === 401)).toBe(true);
    expect((await request(a.server).get('/user/currentUser').set(cookie)).status).toBe(401);
  });

  it('a password change in one process ends the user’s sessions in the other', async () => {
    const { bearer } = await loggedIn('mp-password');
    expect(
      (await admin('put', '/user/management/users/mp-password').send({ password: 'mp-new-pw-1' })).status,
    ).toBe(200);
    expect(await until(async () => (await statusOnB(bearer)) === 401)).toBe(true);
  });

  it('disabling a user ends its sessions everywhere (and enabling it again does not revive them)', async () => {
    const { bearer } = await loggedIn('mp-disabled');
    expect((await admin('put', '/user/management/users/mp-disabled').send({ enabled: false })).status).toBe(
      200,
    );
    expect(await until(async () => (await statusOnB(bearer)) === 401)).toBe(true);
    expect((await admin('put', '/user/management/users/mp-disabled').send({ enabled: true })).status).toBe(
      200,
    );
    expect(await statusOnB(bearer)).toBe(401);
    expect((await request(a.server).get('/user/currentUser').set(bearer)).status).toBe(401);
  });

  it('deleting a user ends its sessions everywhere', async () => {
    const { bearer } = await loggedIn('mp-deleted');
    expect((await admin('delete', '/user/management/users/mp-deleted')).status).toBe(204);
    expect(await until(async () => (await statusOnB(bearer)) === 401)).toBe(true);
  });

  it('a role change in one process applies to the user’s sessions in the other at once', async () => {
    const { bearer } = await loggedIn('mp-roles');
    expect((await onB('/inventory/binaries', bearer)).status).toBe(200); // cached in B with the role
    const revoked = await admin('delete', '/user/management/users/mp-roles/roles/ROLE_INVENTORY_READ');
    expect(revoked.status).toBe(204);
    expect(await until(async () => (await onB('/inventory/binaries', bearer)).status === 403)).toBe(true);
  });
});
