import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

describe('several server processes on one database', () => {
  const servers: SpawnedServer[] = [];
  const dataDirs: string[] = [];
  let databaseUrl: string;

  afterAll(async () => {
    for (const server of servers) server.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('migrate and bootstrap once when started together, and share users', async () => {
    databaseUrl = await createTestDatabase();
    const env = () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'depot-multi-'));
      chmodSync(dataDir, 0o755);
      dataDirs.push(dataDir);
      return {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_PASSWORD: 'shared-admin-pw',
        AUTH_MAX_FAILURES: '4',
        AUTH_LOCKOUT_SECONDS: '2',
      };
    };
    servers.push(...(await Promise.all([spawnServer(env()), spawnServer(env())])));
    const admin = basicAuth('management', 'admin', 'shared-admin-pw');

    const created = await fetch(`${servers[0].baseUrl}/user/management/users`, {
      method: 'POST',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'roamer', password: 'roamer-pw' }),
    });
    expect(created.status).toBe(201);
    const seen = await fetch(`${servers[1].baseUrl}/user/currentUser`, {
      headers: { Authorization: basicAuth('management', 'roamer', 'roamer-pw') },
    });
    expect(seen.status).toBe(200);

    const list = await fetch(`${servers[1].baseUrl}/user/management/users?pageSize=100`, {
      headers: { Authorization: admin },
    });
    const names = ((await list.json()) as { users: Array<{ userName: string }> }).users.map(
      (u) => u.userName,
    );
    expect(names.sort()).toEqual(['admin', 'roamer']);
  });

  it('ends a cached login in every process when the password changes in one', async () => {
    const admin = basicAuth('management', 'admin', 'shared-admin-pw');
    const oldLogin = basicAuth('management', 'roamer', 'roamer-pw');
    const currentUser = (server: SpawnedServer) =>
      fetch(`${server.baseUrl}/user/currentUser`, { headers: { Authorization: oldLogin } });
    // Warm process B's cache (AUTH_CACHE_SECONDS defaults to 10).
    expect((await currentUser(servers[1])).status).toBe(200);
    const changed = await fetch(`${servers[0].baseUrl}/user/management/users/roamer`, {
      method: 'PUT',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: 'roamer-new-pw' }),
    });
    expect(changed.status).toBe(200);
    // NOTIFY travels asynchronously; allow it a moment, far below the cache TTL.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 401; attempt++) {
      status = (await currentUser(servers[1])).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  });

  it('counts failed logins across processes, and lifts the lockout after AUTH_LOCKOUT_SECONDS', async () => {
    const created = await fetch(`${servers[0].baseUrl}/user/management/users`, {
      method: 'POST',
      headers: {
        Authorization: basicAuth('management', 'admin', 'shared-admin-pw'),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ userName: 'target', password: 'target-pw' }),
    });
    expect(created.status).toBe(201);
    // Not logged in before, so no process has the right password cached.
    const wrong = basicAuth('management', 'target', 'not-the-password');
    const right = basicAuth('management', 'target', 'target-pw');
    const tenantOf = (server: SpawnedServer, auth: string) =>
      fetch(`${server.baseUrl}/tenant/currentTenant`, { headers: { Authorization: auth } });
    for (const server of [servers[0], servers[1], servers[0], servers[1]])
      expect((await tenantOf(server, wrong)).status).toBe(401);
    const locked = await tenantOf(servers[0], right);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await tenantOf(servers[1], right)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await tenantOf(servers[1], right)).status).toBe(200);
  });
});
