import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { basicAuth } from '../support/test-app';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

const CHANNEL = 'depot_credentials_invalidated';
const REPO_ROOT = path.resolve(__dirname, '../..');
/** The postmaster must be back and the server ready within this after it was killed. */
const RECOVERY_BOUND_MS = 30_000;

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('embedded PostgreSQL supervision', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'depot-supervision-'));
  chmodSync(dataDir, 0o755);
  let server: SpawnedServer | undefined;
  let sql: DataSource | undefined;
  let loading = false;

  afterAll(async () => {
    loading = false; // a failed expectation must not leave the load running
    await sql?.destroy().catch(() => undefined);
    if (server) {
      server.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a killed postmaster under load and comes back to ready, invalidations included', async () => {
    // No DATABASE_URL: the server runs its own cluster in DATA_DIR/postgres. Logins stay cached
    // for 10 minutes, so only a heard announcement can end one.
    server = await spawnServer({ DATA_DIR: dataDir, DATABASE_URL: '', AUTH_CACHE_SECONDS: '600' });
    const started = server;
    const password = /Generated password for management\/admin: (\S+)/.exec(started.output())![1];
    const admin = basicAuth('management', 'admin', password);
    const port = Number(/Embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/.exec(started.output())![1]);
    const call = (pathname: string, init: RequestInit = {}, auth = admin) =>
      fetch(`${started.baseUrl}${pathname}`, {
        ...init,
        headers: { Authorization: auth, Accept: 'application/json', ...init.headers },
        signal: AbortSignal.timeout(15_000), // no request may hang on the dead database
      });
    const upload = (content: Buffer) => {
      const form = new FormData();
      form.append('object', JSON.stringify({ name: 'payload.bin', type: 'application/octet-stream' }));
      form.append('file', new Blob([content]), 'payload.bin');
      return call('/inventory/binaries', { method: 'POST', body: form });
    };

    const created = await call('/user/management/users', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'watched', password: 'watched-pw-1' }),
    });
    expect(created.status).toBe(201);
    const watched = basicAuth('management', 'watched', 'watched-pw-1');

    // Load: uploads and list queries in a loop until told to stop.
    const statuses: number[] = [];
    loading = true;
    const worker = async (work: () => Promise<Response>) => {
      while (loading) {
        try {
          const response = await work();
          await response.arrayBuffer();
          statuses.push(response.status);
        } catch (error) {
          // An upload refused before its body was read closes the connection (EPIPE here);
          // a request that hangs aborts. Both count as failures, never as success.
          if (!['TypeError', 'TimeoutError'].includes((error as Error).name)) throw error;
          statuses.push(0);
        }
      }
    };
    const load = Promise.all([
      worker(() => upload(randomBytes(64 * 1024))),
      worker(() => call('/inventory/binaries?pageSize=5')),
      worker(() => call('/inventory/binaries?pageSize=5')),
    ]);
    await until(() => Promise.resolve(statuses.length >= 10), 10_000);

    const postmasterPid = Number(
      readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(postmasterPid, 'SIGKILL');
    const killedAt = Date.now();

    // Orphaned backends may keep answering pooled queries for a moment, so readiness need not be
    // seen failing: the supervisor's own lines prove the death and the restart.
    const restartLine = `Embedded PostgreSQL restarted, listening on 127.0.0.1:${port}`;
    expect(
      await until(() => Promise.resolve(started.output().includes(restartLine)), RECOVERY_BOUND_MS),
    ).toBe(true);
    expect(await until(async () => (await call('/health/ready')).status === 200, RECOVERY_BOUND_MS)).toBe(
      true,
    );
    const recoveredAt = Date.now();
    const recoveredAfter = statuses.length;
    await until(() => Promise.resolve(statuses.length >= recoveredAfter + 10), 10_000);
    loading = false;
    await load; // every request answered (a hung one would abort and fail here)

    // Requests succeed again after the outage.
    const after = statuses.slice(recoveredAfter + 3);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((status) => status >= 300)).toEqual([]);
    expect(recoveredAt - killedAt).toBeLessThan(RECOVERY_BOUND_MS);
    expect(started.output()).toMatch(/Embedded PostgreSQL exited unexpectedly \(signal SIGKILL\)/);
    expect(started.output()).toContain(`Embedded PostgreSQL restarted, listening on 127.0.0.1:${port}`);

    const content = randomBytes(100 * 1024);
    const stored = await upload(content);
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    const downloaded = await call(`/inventory/binaries/${id}`);
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(content)).toBe(true);

    // The invalidation listener is back on the restarted cluster: another process's announcement
    // (simulated in SQL on the same cluster) ends a login cached after the restart.
    const clusterPassword = readFileSync(path.join(dataDir, 'postgres.depot-password'), 'utf8').trim();
    sql = await new DataSource({
      type: 'postgres',
      url: `postgres://postgres:${encodeURIComponent(clusterPassword)}@127.0.0.1:${port}/postgres`,
    }).initialize();
    const db = sql;
    expect(
      await until(async () => {
        const rows = await db.query<unknown[]>('SELECT 1 FROM pg_stat_activity WHERE query = $1', [
          `LISTEN ${CHANNEL}`,
        ]);
        return rows.length === 1;
      }, 10_000),
    ).toBe(true);
    expect((await call('/user/currentUser', {}, watched)).status).toBe(200);
    await db.query(
      `UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE user_name = 'admin') WHERE user_name = 'watched'`,
    );
    await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(['management', 'watched'])]);
    expect(await until(async () => (await call('/user/currentUser', {}, watched)).status === 401, 5000)).toBe(
      true,
    );

    // A clean stop drains, stops the restarted cluster and exits 0 (the package's own signal hooks
    // would stop the cluster at once and exit 143).
    await db.destroy();
    started.kill('SIGTERM');
    expect((await started.exited).code).toBe(0);
    server = undefined;
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('asks the postmaster to shut down when the process exits without stopping it', async () => {
    const clusterDir = path.join(dataDir, 'orphan', 'postgres');
    // Starts a cluster, then exits as a crash would: no stop().
    const script = `
      const { EmbeddedPostgresLauncher } = require('./libs/database/src/embedded-postgres.launcher');
      const { readFileSync } = require('node:fs');
      const dir = process.argv[1];
      new EmbeddedPostgresLauncher(dir).start().then(() => {
        // Read now: after the exit the postmaster may be gone, pid file and all, before the test looks.
        process.stdout.write(readFileSync(require('node:path').join(dir, 'postmaster.pid'), 'utf8').split('\\n')[0]);
        process.exit(0);
      });
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', '-e', script, clusterDir],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    const pid = Number(stdout.trim().split('\n').pop());
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const gone = await until(() => Promise.resolve(!alive()), 10_000);
    if (!gone) process.kill(pid, 'SIGKILL'); // leave nothing behind, then fail
    expect(gone).toBe(true);
  });
});
