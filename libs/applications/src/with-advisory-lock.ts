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

/**
 * Runs `fn` while this process holds the PostgreSQL session advisory lock named `name` (hashed to a
 * bigint; a collision only serialises two unrelated names). Waiting polls `pg_try_advisory_lock` and
 * holds no pool connection in between, so waiters cannot starve the holder of connections. The lock
 * lives as long as the holder's connection: a crashed process releases it with its connection.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  fn: () => Promise<T>,
  options: AdvisoryLockOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = FIRST_RETRY_MS;
  for (;;) {
    const runner = dataSource.createQueryRunner();
    let locked = false;
    try {
      await runner.connect();
      const rows = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
        name,
      ])) as { locked: boolean }[];
      locked = rows[0]?.locked === true;
      if (locked) return await fn();
    } finally {
      if (locked)
        await runner
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name])
          .catch(() => undefined);
      await runner.release();
    }
    if (Date.now() + delay > deadline)
      throw CumulocityError.conflict(options.resource, 'Another change is in progress; try again later');
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  }
}
