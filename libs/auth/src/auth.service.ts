import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CumulocityError, type Principal } from '@depot/common';
import { Repository } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { CredentialsCache, credentialsKey } from './credentials-cache';
import { LoginThrottleService } from './login-throttle.service';
import { parseBasicAuth, type BasicCredentials } from './parse-basic-auth';
import { PasswordHasher } from './password-hasher.service';
import { HashQueueFullError } from './scrypt-pool';
import type { SessionClaims } from './session-token';
import { SessionsService } from './sessions.service';
import { UserEntity } from './user.entity';

/**
 * Turns credentials into a principal. Basic `tenant/user:password` or `user:password` (the bootstrap
 * tenant) is verified against the scrypt hash once at a time per credential, cached briefly, and
 * throttled per user and per address; a session token (bearer or cookie) names a session row.
 */
@Injectable()
export class AuthService {
  private readonly cache: CredentialsCache;
  /** Verifications running now, by credential digest. */
  private readonly verifying = new Map<string, { generation: number; principal: Promise<Principal> }>();

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly throttle: LoginThrottleService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {
    this.cache = new CredentialsCache(options.cacheTtlMs);
  }

  async authenticateBasic(authorization: string | undefined, address: string): Promise<Principal> {
    if (!authorization)
      throw CumulocityError.unauthorized('Full authentication is required to access this resource');
    const cached = this.cache.get(authorization);
    if (cached) return cached;
    const credentials = parseBasicAuth(authorization);
    if (!credentials)
      throw CumulocityError.unauthorized('Invalid credentials! : Unsupported authorization header');
    // One verification per credential at a time: requests that arrive while it runs share its
    // outcome (e.g. every request in flight when a cached login expires). Joined only within one
    // cache generation, so a login checked before a password change is not reused after it.
    const key = credentialsKey(authorization);
    const generation = this.cache.generation;
    const running = this.verifying.get(key);
    if (running?.generation === generation) return running.principal;
    const principal = this.verify(authorization, credentials, address, generation);
    this.verifying.set(key, { generation, principal });
    try {
      return await principal;
    } finally {
      if (this.verifying.get(key)?.principal === principal) this.verifying.delete(key);
    }
  }

  private async verify(
    authorization: string,
    credentials: BasicCredentials,
    address: string,
    generation: number,
  ): Promise<Principal> {
    const user = await this.checkPassword(credentials, address);
    const principal: Principal = { tenantId: user.tenantId, userName: user.userName, roles: [...user.roles] };
    // Not cached if the user changed while we verified (the change's invalidation came first).
    this.cache.set(authorization, principal, generation);
    return principal;
  }

  /**
   * The user whose password this is, checked against the login throttle and the scrypt hash (401,
   * 429, 503 otherwise). Basic logins and the session logins of `POST /tenant/oauth[/token]` both
   * come through here, so they count towards the same throttle.
   */
  async checkPassword(credentials: BasicCredentials, address: string): Promise<UserEntity> {
    // No capacity to check a password: refuse before costing the database anything.
    if (this.hasher.saturated) throw new HashQueueFullError();
    const tenantId = (credentials.tenant ?? this.options.bootstrap.tenant).toLowerCase();
    const attempt = this.throttle.attempt(address, tenantId, credentials.userName);
    // Reserved before the hash: parallel guesses cannot get more than the limit checked.
    const retryAfterSeconds = await this.throttle.reserve(attempt);
    if (retryAfterSeconds > 0) throw tooManyAttempts(retryAfterSeconds);

    let user: UserEntity | null;
    let valid: boolean;
    try {
      user = await this.users.findOne({ where: { tenantId, userName: credentials.userName } });
      // Unknown users cost the same hash, so timing does not reveal which names exist.
      valid = user
        ? await this.hasher.verify(credentials.password, user.passwordHash)
        : await this.hasher.verifyNobody(credentials.password);
    } catch (error) {
      await this.throttle.release(attempt);
      throw error;
    }
    if (!user || !valid || !user.enabled) throw CumulocityError.unauthorized();
    await this.throttle.succeeded(attempt);
    return user;
  }

  /**
   * The principal of a session whose token `SessionsService.verify` accepted: its current roles,
   * or 401 once it has ended (logout, expiry, password change, disabled or deleted user). Cached
   * like Basic logins, never beyond the token's expiry, and dropped by the same invalidation.
   */
  async authenticateSession(claims: SessionClaims): Promise<Principal> {
    // Beside Basic headers in one cache: a NUL can never be in a header, so no header hits this key.
    const key = `\u0000session\u0000${claims.sid}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const generation = this.cache.generation;
    const principal = await this.sessions.principal(claims);
    this.cache.set(key, principal, generation, claims.exp * 1000);
    return principal;
  }

  /**
   * Ends the user's cached logins in this process. After a password, role or enabled change, or a
   * deletion, call `CredentialsInvalidationService.forgetUser` instead, which reaches every process.
   */
  forgetUser(tenantId: string, userName: string): void {
    this.cache.invalidateUser(tenantId, userName);
  }

  forgetTenant(tenantId: string): void {
    this.cache.invalidateTenant(tenantId);
  }

  /** When invalidations from other processes may have been missed. */
  forgetAll(): void {
    this.cache.clear();
  }
}

function tooManyAttempts(retryAfterSeconds: number): CumulocityError {
  return new CumulocityError(
    429,
    'security/Too Many Requests',
    `Too many failed login attempts; try again in ${retryAfterSeconds} s`,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
