import { ApplicationsService } from '@depot/applications';
import { withAdvisoryLock } from '@depot/applications/with-advisory-lock';
import { DataSource } from 'typeorm';
import { ALL_ROLES, type Principal } from '@depot/common';
import { startTestApp, type TestApp } from '../support/test-app';
import { createHostedApp } from '../support/hosted-app-kit';

/** The bit of `pg` used here (the package ships no typings). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

/** A promise and the function that settles it: the tests wait for events, never for time. */
function signal<T = void>(): { promise: Promise<T>; fire: (value: T) => void } {
  let fire!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (fire = resolve));
  return { promise, fire };
}

// Two server processes (two Nest apps, two connection pools) on one database.
describe('ApplicationsService.withApplicationLock', () => {
  let first: TestApp;
  let second: TestApp;
  let principal: Principal;

  beforeAll(async () => {
    first = await startTestApp();
    second = await startTestApp({ DATABASE_URL: first.databaseUrl, DATA_DIR: first.dataDir });
    principal = { tenantId: first.admin.tenant, userName: first.admin.user, roles: ALL_ROLES };
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  /** Settles once `name` was taken by someone else for the whole of a short attempt (409). */
  const refusedInSecondProcess = (name: string) =>
    expect(
      withAdvisoryLock(second.app.get(DataSource), name, () => Promise.resolve(), {
        timeoutMs: 200,
        resource: 'applications',
      }),
    ).rejects.toMatchObject({ status: 409 });

  it('never lets two processes hold the same application’s lock at once', async () => {
    const app = await createHostedApp(first);
    const events: string[] = [];
    const entered = signal();
    const release = signal();
    const holding = first.app.get(ApplicationsService).withApplicationLock(principal, app.id, async () => {
      events.push('in:first');
      entered.fire();
      await release.promise;
      events.push('out:first');
    });
    await entered.promise;
    const queued = second.app.get(ApplicationsService).withApplicationLock(principal, app.id, () => {
      events.push('in:second');
      return Promise.resolve();
    });
    // The other process is kept out for as long as the first one holds the lock.
    await refusedInSecondProcess(`depot:application:${app.id}`);
    expect(events).toEqual(['in:first']);
    release.fire();
    await Promise.all([holding, queued]);
    expect(events).toEqual(['in:first', 'out:first', 'in:second']);
  });

  it('does not serialise different applications', async () => {
    const [a, b] = [await createHostedApp(first), await createHostedApp(first)];
    const service = first.app.get(ApplicationsService);
    const inside = { [a.id]: signal(), [b.id]: signal() };
    // Each holder leaves only once the other is inside too: serialised locks would never get there.
    const hold = (id: string, other: string) =>
      service.withApplicationLock(principal, id, async () => {
        inside[id].fire();
        await inside[other].promise;
      });
    await Promise.all([hold(a.id, b.id), hold(b.id, a.id)]);
  });

  it('releases the lock when the work fails', async () => {
    const app = await createHostedApp(first);
    const service = first.app.get(ApplicationsService);
    await expect(
      service.withApplicationLock(principal, app.id, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await expect(
      second.app
        .get(ApplicationsService)
        .withApplicationLock(principal, app.id, () => Promise.resolve('next')),
    ).resolves.toBe('next');
  });

  it('waits for a holder in another session and proceeds when that session dies', async () => {
    const app = await createHostedApp(first);
    const holder = new Client({ connectionString: first.databaseUrl });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`depot:application:${app.id}`]);
    let entered = false;
    const waiting = first.app.get(ApplicationsService).withApplicationLock(principal, app.id, () => {
      entered = true;
      return Promise.resolve();
    });
    await refusedInSecondProcess(`depot:application:${app.id}`);
    expect(entered).toBe(false);
    // A crashed process: its connection goes away, PostgreSQL drops its session locks.
    await holder.end();
    await waiting;
    expect(entered).toBe(true);
  });

  it('gives up with 409 applications/Conflict when the lock stays taken', async () => {
    const holder = new Client({ connectionString: first.databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', ['depot:test:timeout']);
      const started = Date.now();
      await expect(
        withAdvisoryLock(first.app.get(DataSource), 'depot:test:timeout', () => Promise.resolve(), {
          timeoutMs: 300,
          resource: 'applications',
        }),
      ).rejects.toMatchObject({ status: 409, error: 'applications/Conflict' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await holder.end();
    }
  });

  it('keeps half the pool free for the holders’ own queries (no deadlock on a small pool)', async () => {
    const small = await new DataSource({
      type: 'postgres',
      url: first.databaseUrl,
      extra: { max: 2 },
    }).initialize();
    try {
      const finished: string[] = [];
      const work = (name: string) =>
        withAdvisoryLock(
          small,
          `depot:test:pool:${name}`,
          async () => {
            // The holder's own work needs a second connection while the lock's is held.
            await small.query('SELECT pg_sleep(0.05)');
            finished.push(name);
          },
          { timeoutMs: 10_000, resource: 'applications' },
        );
      await Promise.all(['a', 'b', 'c', 'd'].map(work));
      expect(finished.sort()).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      await small.destroy();
    }
  });

  it('answers 404 for an application of another tenant, before taking any lock', async () => {
    const app = await createHostedApp(first);
    await expect(
      first.app
        .get(ApplicationsService)
        .withApplicationLock({ ...principal, tenantId: 'elsewhere' }, app.id, () => Promise.resolve()),
    ).rejects.toMatchObject({ status: 404, error: 'applications/Not Found' });
  });
});
