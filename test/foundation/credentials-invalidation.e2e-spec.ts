import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

const CHANNEL = 'depot_credentials_invalidated';

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('credentials invalidation listener', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_CACHE_SECONDS: '600', LOG_LEVEL: 'error' });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Backend pids of the app's LISTEN connections. */
  const listenerPids = async () =>
    (
      await db.query<Array<{ pid: number }>>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`,
        [`LISTEN ${CHANNEL}`],
      )
    ).map((row) => row.pid);

  /** Another process changes the user's password (simulated in SQL) and announces it. */
  const changeElsewhere = async (userName: string) => {
    await db.query(
      `UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE user_name = 'admin') WHERE user_name = $1`,
      [userName],
    );
    await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(['management', userName])]);
  };

  it('drops cached logins when another process announces a change, and survives a lost connection', async () => {
    const first = await createUser(t, { userName: 'cached-1', roles: [] });
    const second = await createUser(t, { userName: 'cached-2', roles: [] });
    const whoAmI = (auth: string) => request(t.server).get('/user/currentUser').set('Authorization', auth);
    expect((await whoAmI(first.auth)).status).toBe(200);
    expect((await whoAmI(second.auth)).status).toBe(200);

    await changeElsewhere('cached-1');
    expect(await until(async () => (await whoAmI(first.auth)).status === 401)).toBe(true);
    expect((await whoAmI(second.auth)).status).toBe(200); // still cached: only cached-1 was announced

    // Cut the listener's connection: it comes back on a new backend and hears announcements again.
    const [before] = await listenerPids();
    expect(before).toBeDefined();
    await db.query('SELECT pg_terminate_backend($1)', [before]);
    expect(
      await until(async () => {
        const pids = await listenerPids();
        return pids.length === 1 && pids[0] !== before;
      }),
    ).toBe(true);
    expect((await whoAmI(second.auth)).status).toBe(200); // cached again after the reconnect
    await changeElsewhere('cached-2');
    expect(await until(async () => (await whoAmI(second.auth)).status === 401)).toBe(true);
  });

  it('drops logins cached while the listener was away once it listens again (their announcements were missed)', async () => {
    const user = await createUser(t, { userName: 'cached-gap', roles: [] });
    const whoAmI = () => request(t.server).get('/user/currentUser').set('Authorization', user.auth);
    const [before] = await listenerPids();
    await db.query('SELECT pg_terminate_backend($1)', [before]);
    // The listener has noticed (and reconnects after a 1 s delay): nobody hears announcements now.
    expect(await until(async () => (await listenerPids()).length === 0)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await whoAmI()).status).toBe(200); // cached during the gap
    await changeElsewhere('cached-gap'); // announced while nobody listens
    expect(await listenerPids()).toEqual([]); // the announcement was really missed
    expect(await until(async () => (await listenerPids()).length === 1)).toBe(true);
    expect(await until(async () => (await whoAmI()).status === 401)).toBe(true);
  });
});
