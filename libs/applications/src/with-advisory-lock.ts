import { CumulocityError } from '@depot/common';
import type { DataSource } from 'typeorm';

export interface AdvisoryLockOptions {
  /** Give up after this long (ms) with 409 `<resource>/Conflict`. */
  timeoutMs: number;
  /** Error resource for the timeout, e.g. `applications`. */
  resource: string;
}

const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 250;
const DEFAULT_POOL_SIZE = 10;

/** Lock holders per data source in this process. */
const holders = new WeakMap<DataSource, { count: number }>();

/**
 * A holder keeps one pool connection for the lock and needs another for its own queries; if holders
 * could take every connection, they would all wait for a second one forever. At most half the pool.
 */
function holderLimit(dataSource: DataSource): number {
  const pool = (dataSource.options as { extra?: { max?: number } }).extra?.max ?? DEFAULT_POOL_SIZE;
  return Math.max(1, Math.floor(pool / 2));
}

/**
 * Runs `fn` while this process holds the PostgreSQL session advisory lock named `name` (hashed to a
 * bigint; a collision only serialises two unrelated names). Waiting polls `pg_try_advisory_lock` and
 * holds no pool connection in between, so waiters cannot starve the holder of connections. The lock
 * lives as long as the holder's connection: a crashed process releases it with its connection. At
 * most half the connection pool holds locks at once (others wait as for a taken lock), so holders
 * always find a connection for their own work.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  fn: () => Promise<T>,
  options: AdvisoryLockOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = FIRST_RETRY_MS;
  const slots = holders.get(dataSource) ?? { count: 0 };
  holders.set(dataSource, slots);
  for (;;) {
    if (slots.count < holderLimit(dataSource)) {
      slots.count++;
      try {
        const result = await tryWithLock(dataSource, name, fn);
        if (result.locked) return result.value;
      } finally {
        slots.count--;
      }
    }
    if (Date.now() + delay > deadline)
      throw CumulocityError.conflict(options.resource, 'Another change is in progress; try again later');
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  }
}

async function tryWithLock<T>(
  dataSource: DataSource,
  name: string,
  fn: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const runner = dataSource.createQueryRunner();
  let locked = false;
  try {
    await runner.connect();
    const rows = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
      name,
    ])) as { locked: boolean }[];
    locked = rows[0]?.locked === true;
    if (!locked) return { locked: false };
    return { locked: true, value: await fn() };
  } finally {
    if (locked)
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => undefined);
    await runner.release();
  }
}
