import type { IncomingHttpHeaders } from 'node:http';
import { AUTHORIZATION_COOKIE, readCookie, XSRF_HEADER } from './session-cookies';

/** What a request authenticates with. An `Authorization` header wins over the session cookie. */
export type RequestCredential =
  /** `browser`: a page's script asks; its 401 must not pop up the browser's Basic dialog. */
  | { kind: 'none'; browser: boolean }
  | { kind: 'basic'; header: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'cookie'; token: string };

const BEARER = /^bearer\s+(\S+)\s*$/i;

export function readRequestCredential(headers: IncomingHttpHeaders): RequestCredential {
  const authorization = headers.authorization;
  if (authorization) {
    const bearer = BEARER.exec(authorization);
    // Anything else (malformed included) is Basic's to refuse, as before sessions existed.
    return bearer ? { kind: 'bearer', token: bearer[1] } : { kind: 'basic', header: authorization };
  }
  const token = readCookie(headers.cookie, AUTHORIZATION_COOKIE);
  if (token) return { kind: 'cookie', token };
  // Script requests of a page: the Web SDK's CookieAuth sends X-XSRF-TOKEN on every request (also
  // once its cookie is gone); many libraries send X-Requested-With.
  const browser =
    headers[XSRF_HEADER] !== undefined ||
    headers['x-requested-with']?.toString().toLowerCase() === 'xmlhttprequest';
  return { kind: 'none', browser };
}
