import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';

const CLEANUP_EVERY = 100;

/** The two counters one login attempt is charged to (each stored only as a SHA-256). */
export interface LoginAttempt {
  /** This user (tenant and name) from this address: limited by `maxFailures`. */
  userKey: string;
  /** This address, whatever the user names: limited by `maxFailuresPerAddress`. */
  addressKey: string;
  /** For the log: `tenant/user` and the address. */
  user: string;
  address: string;
}

/**
 * Counts login attempts in PostgreSQL, so every server process behind a load balancer sees the same
 * counts. An attempt is reserved BEFORE its password is checked, in one atomic statement, so no burst
 * of parallel guesses gets more than the limit verified; a success gives its attempt back (and
 * clears the user's count). Over a limit within the window, the user or the address is refused
 * (429) for `lockoutSeconds`, whatever the password.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);
  private reservationsSinceCleanup = 0;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly dataSource: DataSource,
  ) {}

  attempt(address: string, tenantId: string, userName: string): LoginAttempt {
    return {
      userKey: sha256(`${address}\u0000${tenantId}\u0000${userName}`),
      addressKey: sha256(`address\u0000${address}`),
      user: `${tenantId}/${userName}`,
      address,
    };
  }

  /**
   * Reserves one attempt on both counters. Returns 0 when the password may be checked, else the
   * seconds to wait. A locked counter is answered by a read alone, so hammering a locked user does
   * not also use up its address's allowance.
   */
  async reserve(attempt: LoginAttempt): Promise<number> {
    const locked = await this.lockedFor(attempt);
    if (locked > 0) return locked;
    const { maxFailures, maxFailuresPerAddress, lockoutSeconds } = this.options;
    // One statement: the user's counter first; the address's only if the user's did not refuse,
    // so parallel guesses at one locked user do not use up the address's allowance.
    const rows = await this.dataSource.query<Array<{ key: string; retry: number }>>(
      `WITH by_user AS (${reserveSql('$1', '$4', '')}),
            by_address AS (${reserveSql('$2', '$5', 'WHERE NOT EXISTS (SELECT 1 FROM by_user WHERE retry > 0)')})
       SELECT key, retry FROM by_user UNION ALL SELECT key, retry FROM by_address`,
      [attempt.userKey, attempt.addressKey, lockoutSeconds, maxFailures, maxFailuresPerAddress],
    );
    await this.cleanUpNowAndThen();
    const refused = rows.filter((row) => row.retry > 0);
    for (const row of refused)
      this.logger.warn(
        row.key === attempt.userKey
          ? `Too many failed logins for ${attempt.user} from ${attempt.address}`
          : `Too many failed logins from ${attempt.address}, across user names`,
      );
    return Math.max(0, ...refused.map((row) => row.retry));
  }

  // Below, one row per statement: the reservation locks the user's row, then the address's, and a
  // statement holding them the other way round could deadlock with it.

  /** The password was right: the user's count is cleared, the address gets its attempt back. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE key = $1 AND coalesce(locked_until <= now(), true)`,
      [attempt.userKey],
    );
    await this.giveBack(attempt.addressKey);
  }

  /** The password could not be checked after all (no hashing capacity): both attempts given back. */
  async release(attempt: LoginAttempt): Promise<void> {
    await this.giveBack(attempt.userKey);
    await this.giveBack(attempt.addressKey);
  }

  private async giveBack(key: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE login_failures SET failures = greatest(failures - 1, 0)
        WHERE key = $1 AND window_ends > now() AND coalesce(locked_until <= now(), true)`,
      [key],
    );
  }

  /** Seconds until neither counter is locked (0: now). */
  private async lockedFor(attempt: LoginAttempt): Promise<number> {
    const rows = await this.dataSource.query<Array<{ retry: number | null }>>(
      `SELECT max(ceil(extract(epoch FROM (locked_until - now()))))::int AS retry
         FROM login_failures WHERE key IN ($1, $2) AND locked_until > now()`,
      [attempt.userKey, attempt.addressKey],
    );
    return rows[0]?.retry ?? 0;
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (++this.reservationsSinceCleanup < CLEANUP_EVERY) return;
    this.reservationsSinceCleanup = 0;
    // SKIP LOCKED: never wait for (or deadlock with) a reservation on a row it would delete.
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE key IN (
         SELECT key FROM login_failures
          WHERE window_ends < now() AND (locked_until IS NULL OR locked_until < now())
            FOR UPDATE SKIP LOCKED)`,
    );
  }
}

/**
 * Reserves an attempt on the counter `key` (with `limit`), atomically. In the window `failures`
 * counts the attempts not given back; the attempt that would exceed the limit starts the lockout
 * instead (and is not counted), and the lockout ends with a fresh window. `$3` is the lockout.
 */
function reserveSql(key: string, limit: string, condition: string): string {
  return `INSERT INTO login_failures AS f (key, failures, window_ends)
    SELECT ${key}::text, 1, now() + make_interval(secs => $3) ${condition}
    ON CONFLICT (key) DO UPDATE SET (failures, window_ends, locked_until) = (
      SELECT CASE WHEN s.locked THEN f.failures WHEN s.expired THEN 1 WHEN s.over THEN 0 ELSE f.failures + 1 END,
             CASE WHEN s.locked THEN f.window_ends WHEN s.expired OR s.over THEN now() + make_interval(secs => $3)
                  ELSE f.window_ends END,
             CASE WHEN s.locked THEN f.locked_until WHEN s.over THEN now() + make_interval(secs => $3) END
        FROM (SELECT locked, expired, NOT locked AND NOT expired AND f.failures + 1 > ${limit}::int AS over
                FROM (SELECT coalesce(f.locked_until > now(), false) AS locked,
                             f.window_ends <= now() AS expired) state) s)
    RETURNING key, coalesce(ceil(extract(epoch FROM (locked_until - now())))::int, 0) AS retry`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
