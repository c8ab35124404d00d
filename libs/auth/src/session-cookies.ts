import type { Response } from 'express';
import type { IssuedSession } from './sessions.service';

/** The cookie holding the session token (HttpOnly), as Cumulocity names it. */
export const AUTHORIZATION_COOKIE = 'authorization';
/** The script-readable cookie whose value unsafe requests echo in {@link XSRF_HEADER}. */
export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'x-xsrf-token';

/** The value of cookie `name` in a `Cookie` header (the first one, as browsers send the most specific first). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    const value = pair.slice(equals + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * Sets the session cookies, `authorization` FIRST: @c8y/client in Node reads the token from the
 * first `Set-Cookie` only. Both SameSite=Lax; Secure when the request came over HTTPS.
 */
export function setSessionCookies(response: Response, session: IssuedSession, secure: boolean): void {
  const maxAge = Math.max(0, session.claims.exp * 1000 - Date.now());
  const common = { path: '/', sameSite: 'lax', secure, maxAge } as const;
  response.cookie(AUTHORIZATION_COOKIE, session.token, { ...common, httpOnly: true });
  response.cookie(XSRF_COOKIE, session.claims.xsrf, common);
}

export function clearSessionCookies(response: Response, secure: boolean): void {
  const common = { path: '/', sameSite: 'lax', secure } as const;
  response.clearCookie(AUTHORIZATION_COOKIE, { ...common, httpOnly: true });
  response.clearCookie(XSRF_COOKIE, common);
}
