import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';

const CLEANUP_EVERY = 100;

/**
 * Counts failed logins per (address, tenant, user) in PostgreSQL, so every server process behind a
 * load balancer sees the same count. After `maxFailures` within the window the pair is refused
 * (429) for `lockoutSeconds`, whatever the password. The pair is stored only as a SHA-256.
 */
@Injectable()
export class LoginThrottleService {
  private failuresSinceCleanup = 0;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly dataSource: DataSource,
  ) {}

  key(address: string, tenantId: string, userName: string): string {
    return createHash('sha256').update(`${address}\u0000${tenantId}\u0000${userName}`).digest('hex');
  }

  /** Seconds until the pair may try again (0: now), and whether failures are on record. */
  async status(key: string): Promise<{ retryAfterSeconds: number; hasFailures: boolean }> {
    const rows = await this.dataSource.query<Array<{ retry: number | null }>>(
      `SELECT ceil(extract(epoch FROM (locked_until - now())))::int AS retry
         FROM login_failures WHERE key = $1 AND (window_ends > now() OR locked_until > now())`,
      [key],
    );
    if (rows.length === 0) return { retryAfterSeconds: 0, hasFailures: false };
    return { retryAfterSeconds: Math.max(rows[0].retry ?? 0, 0), hasFailures: true };
  }

  /** Records a failure; returns the lockout in seconds when this failure started one, else 0. */
  async recordFailure(key: string): Promise<number> {
    const { maxFailures, lockoutSeconds } = this.options;
    // One atomic upsert: concurrent failures in several processes all count.
    const rows = await this.dataSource.query<Array<{ failures: number }>>(
      `INSERT INTO login_failures AS f (key, failures, window_ends)
       VALUES ($1, 1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_ends <= now() THEN 1 ELSE f.failures + 1 END,
         window_ends = CASE WHEN f.window_ends <= now() THEN now() + make_interval(secs => $2) ELSE f.window_ends END
       RETURNING failures`,
      [key, lockoutSeconds],
    );
    await this.cleanUpNowAndThen();
    if (rows[0].failures < maxFailures) return 0;
    await this.dataSource.query(
      `UPDATE login_failures
          SET failures = 0, locked_until = now() + make_interval(secs => $2), window_ends = now() + make_interval(secs => $2)
        WHERE key = $1`,
      [key, lockoutSeconds],
    );
    return lockoutSeconds;
  }

  async recordSuccess(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (++this.failuresSinceCleanup < CLEANUP_EVERY) return;
    this.failuresSinceCleanup = 0;
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE window_ends < now() AND (locked_until IS NULL OR locked_until < now())`,
    );
  }
}
