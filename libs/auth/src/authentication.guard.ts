import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CumulocityError, PUBLIC_KEY, type Principal } from '@depot/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AuthService } from './auth.service';
import { readRequestCredential, type RequestCredential } from './read-request-credential';
import { XSRF_HEADER } from './session-cookies';
import type { SessionClaims } from './session-token';
import { SessionsService } from './sessions.service';

declare module 'http' {
  interface IncomingMessage {
    /** The session a bearer token or the session cookie named (for logout). */
    authSession?: SessionClaims;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Global authentication: every route except `@Public()` ones needs valid credentials, which put the
 * principal on the request for the roles guard that runs next. Three kinds, one principal: HTTP
 * Basic, a bearer token, and the browser session cookie — whose unsafe requests must also echo the
 * session's CSRF token in `X-XSRF-TOKEN` (403 otherwise).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<Request>();
    const credential = readRequestCredential(request.headers);
    try {
      request.principal = await this.authenticate(request, credential);
    } catch (error) {
      // No Basic challenge for a browser session: it would pop up the browser's password dialog.
      if (
        isUnauthorized(error) &&
        (credential.kind === 'cookie' || (credential.kind === 'none' && credential.browser))
      )
        throw new CumulocityError(error.status, error.error, error.message);
      throw error;
    }
    return true;
  }

  private async authenticate(request: Request, credential: RequestCredential): Promise<Principal> {
    switch (credential.kind) {
      case 'none':
        throw CumulocityError.unauthorized('Full authentication is required to access this resource');
      case 'basic':
        return this.auth.authenticateBasic(credential.header, clientAddress(request));
      case 'bearer':
      case 'cookie': {
        const claims = this.sessions.verify(credential.token);
        if (credential.kind === 'cookie' && !SAFE_METHODS.has(request.method)) assertXsrf(request, claims);
        const principal = await this.auth.authenticateSession(claims);
        request.authSession = claims;
        return principal;
      }
    }
  }
}

export function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/** The cookie came along by itself on any request to us; only our own pages can read the token. */
function assertXsrf(request: Request, claims: SessionClaims): void {
  const header = request.headers[XSRF_HEADER];
  const given = Buffer.from(typeof header === 'string' ? header : '');
  const expected = Buffer.from(claims.xsrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw CumulocityError.forbidden('Missing or wrong X-XSRF-TOKEN header (CSRF protection)');
}

function isUnauthorized(error: unknown): error is CumulocityError {
  return error instanceof CumulocityError && error.status === HttpStatus.UNAUTHORIZED;
}
