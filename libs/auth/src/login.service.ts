import { Injectable } from '@nestjs/common';
import { CumulocityError } from '@depot/common';
import { AuthService } from './auth.service';
import { CredentialsInvalidationService } from './credentials-invalidation.service';
import type { BasicCredentials } from './parse-basic-auth';
import type { SessionClaims } from './session-token';
import { SessionsService, type IssuedSession } from './sessions.service';
import { TENANT_ID } from './tenant.dto';

/** The fields of Cumulocity's OAuth-internal login form (`tfa_code` and the rest are ignored). */
export interface LoginForm {
  grant_type?: string;
  username?: string;
  password?: string;
}

/** `POST /tenant/oauth[/token]` and `POST /user/logout`: sessions started from a password, and ended. */
@Injectable()
export class LoginService {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly invalidation: CredentialsInvalidationService,
  ) {}

  /** Checks the password (throttled like Basic) and starts a session. */
  async login(form: LoginForm, tenantId: string | undefined, address: string): Promise<IssuedSession> {
    const user = await this.auth.checkPassword(loginCredentials(form, tenantId), address);
    return this.sessions.start(user);
  }

  /** Ends the session the request came with, at once in every process (Basic has none to end). */
  async logout(session: SessionClaims | undefined): Promise<void> {
    if (!session) return;
    await this.sessions.end(session);
    await this.invalidation.forgetUser(session.ten, session.sub);
  }
}

/**
 * The form's credentials. The tenant is `?tenant_id=`, else a `tenant/` prefix of the user name,
 * else the bootstrap tenant's (as for Basic). Malformed values are a 401 before any query.
 */
export function loginCredentials(form: LoginForm, tenantId: string | undefined): BasicCredentials {
  if (form.grant_type?.toUpperCase() !== 'PASSWORD')
    throw CumulocityError.invalidData('security', 'grant_type must be PASSWORD');
  if (!form.username || form.password === undefined)
    throw CumulocityError.invalidData('security', 'username and password are required');
  let userName = form.username;
  let tenant = tenantId || undefined;
  const slash = userName.indexOf('/');
  if (tenant === undefined && slash > 0) {
    tenant = userName.slice(0, slash);
    userName = userName.slice(slash + 1);
  }
  const malformed =
    userName === '' ||
    [userName, form.password].some((value) => value.includes('\u0000')) ||
    (tenant !== undefined && !TENANT_ID.test(tenant.toLowerCase()));
  if (malformed) throw CumulocityError.unauthorized();
  return { tenant, userName, password: form.password };
}
