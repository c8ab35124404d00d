import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { basicAuth } from '../support/test-app';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

/** Reads the postmaster pid of the cluster, if one is running. */
function postmasterRunning(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'));
}

describe('embedded PostgreSQL across restarts', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'depot-restart-'));
  chmodSync(dataDir, 0o755);
  // DATABASE_URL empty: the server starts its own embedded cluster in DATA_DIR/postgres.
  const env = { DATA_DIR: dataDir, DATABASE_URL: '' };
  let server: SpawnedServer | undefined;

  afterAll(async () => {
    if (server) {
      server.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a generated password once, keeps data across a clean stop and a SIGKILL', async () => {
    server = await spawnServer(env);
    const generated = /Generated password for management\/admin: (\S+)/.exec(server.output());
    expect(generated).not.toBeNull();
    const admin = basicAuth('management', 'admin', generated![1]);

    const created = await fetch(`${server.baseUrl}/user/management/users`, {
      method: 'POST',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'survivor', password: 'survivor-pw' }),
    });
    expect(created.status).toBe(201);

    // Clean stop: the cluster stops with the server.
    server.kill('SIGTERM');
    await server.exited;
    expect(postmasterRunning(dataDir)).toBe(false);

    server = await spawnServer(env);
    expect(server.output()).not.toContain('Generated password');
    expect(server.output()).not.toContain('Initialising embedded PostgreSQL');
    const survivor = await fetch(`${server.baseUrl}/user/currentUser`, {
      headers: { Authorization: basicAuth('management', 'survivor', 'survivor-pw') },
    });
    expect(survivor.status).toBe(200);

    // A second process on the same DATA_DIR refuses to start and leaves the first one's cluster alone.
    await expect(spawnServer(env)).rejects.toThrow(/in use by another Depot process/);
    const stillUp = await fetch(`${server.baseUrl}/health`);
    expect(stillUp.status).toBe(200);

    // SIGKILL leaves the postmaster behind; the next start must stop it and carry on.
    server.kill('SIGKILL');
    await server.exited;
    server = await spawnServer(env);
    const again = await fetch(`${server.baseUrl}/user/currentUser`, { headers: { Authorization: admin } });
    expect(again.status).toBe(200);

    // PostgreSQL dies under the server: health says so (503), and a clean stop still completes.
    const postmasterPid = Number(
      readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(postmasterPid, 'SIGKILL');
    let health: Response | undefined;
    for (let attempt = 0; attempt < 50 && health?.status !== 503; attempt++) {
      health = await fetch(`${server.baseUrl}/health`);
      if (health.status !== 503) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health?.status).toBe(503);
    expect(((await health!.json()) as { database: { status: string } }).database.status).toBe('DOWN');
    const stopping = Date.now();
    server.kill('SIGTERM');
    await server.exited;
    expect(Date.now() - stopping).toBeLessThan(5000);
    server = undefined;
  });
});
