import { Inject, Injectable } from '@nestjs/common';
import { CumulocityError, type Principal } from '@depot/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { signSessionToken, verifySessionToken, type SessionClaims } from './session-token';
import type { UserEntity } from './user.entity';

const CLEANUP_EVERY = 100;

/** A session just started: its token (the bearer token and the `authorization` cookie). */
export interface IssuedSession {
  token: string;
  claims: SessionClaims;
}

/**
 * Sessions are rows in `auth_sessions` named by a signed token (JWT HS256, key from AUTH_OPTIONS).
 * The signature is checked first, so forged or expired tokens cost no query; a valid one is only
 * good while its row exists (logout, a password change, disabling or deleting the user remove it)
 * and has not expired. Fixed lifetime (`sessions.ttlSeconds` from login, not sliding).
 */
@Injectable()
export class SessionsService {
  private startsSinceCleanup = 0;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly dataSource: DataSource,
  ) {}

  get ttlSeconds(): number {
    return this.options.sessions.ttlSeconds;
  }

  /**
   * Starts a session for `user` as read when its password was checked: refused (401) if the user
   * was disabled, deleted or got another password since, so the check cannot be outrun.
   */
  async start(user: UserEntity): Promise<IssuedSession> {
    const sid = randomUUID();
    const rows = await this.dataSource.query<Array<{ iat: number; exp: number }>>(
      `INSERT INTO auth_sessions (id, user_id, expires_at)
         SELECT $1, id, now() + make_interval(secs => $2)
           FROM users WHERE id = $3 AND tenant_id = $4 AND password_hash = $5 AND enabled
       RETURNING floor(extract(epoch FROM created))::int AS iat, floor(extract(epoch FROM expires_at))::int AS exp`,
      [sid, this.ttlSeconds, user.id, user.tenantId, user.passwordHash],
    );
    if (rows.length === 0) throw CumulocityError.unauthorized();
    await this.cleanUpNowAndThen();
    const claims: SessionClaims = {
      sid,
      ten: user.tenantId,
      sub: user.userName,
      xsrf: randomBytes(24).toString('base64url'),
      iat: rows[0].iat,
      exp: rows[0].exp,
    };
    return { token: signSessionToken(claims, this.options.sessions.secret), claims };
  }

  /** The claims of a token we signed that has not expired; else 401. */
  verify(token: string): SessionClaims {
    const claims = verifySessionToken(token, this.options.sessions.secret);
    if (!claims) throw CumulocityError.unauthorized('Invalid credentials! : Invalid or expired token');
    return claims;
  }

  /** The session's user as a principal (current roles), or 401 when the session has ended. */
  async principal(claims: SessionClaims): Promise<Principal> {
    const rows = await this.dataSource.query<Array<{ roles: Principal['roles'] }>>(
      `SELECT u.roles FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND u.tenant_id = $2 AND u.user_name = $3
          AND u.enabled AND s.expires_at > now()`,
      [claims.sid, claims.ten, claims.sub],
    );
    if (rows.length === 0) throw CumulocityError.unauthorized('Invalid credentials! : The session has ended');
    return { tenantId: claims.ten, userName: claims.sub, roles: [...rows[0].roles] };
  }

  async end(claims: SessionClaims): Promise<void> {
    await this.dataSource.query(`DELETE FROM auth_sessions WHERE id = $1`, [claims.sid]);
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (++this.startsSinceCleanup < CLEANUP_EVERY) return;
    this.startsSinceCleanup = 0;
    await this.dataSource.query(`DELETE FROM auth_sessions WHERE expires_at < now()`);
  }
}
