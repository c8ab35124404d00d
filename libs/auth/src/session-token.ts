import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a Depot session token says (the JWT claims we sign and check). */
export interface SessionClaims {
  /** Session id: the `auth_sessions` row that logout and invalidation remove. */
  sid: string;
  /** Tenant id. */
  ten: string;
  /** User name. */
  sub: string;
  /** The CSRF token a cookie-authenticated unsafe request must echo in `X-XSRF-TOKEN`. */
  xsrf: string;
  /** Issued at and expiry, in seconds since the epoch. */
  iat: number;
  exp: number;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
/** Far above what we issue (a few hundred bytes): longer input is refused before any work. */
const MAX_TOKEN_LENGTH = 4096;

/** A compact JWT, HS256-signed with `key`. */
export function signSessionToken(claims: SessionClaims, key: Buffer): string {
  const body = `${HEADER}.${base64url(JSON.stringify({ iss: 'depot', ...claims }))}`;
  return `${body}.${signature(body, key)}`;
}

/**
 * The claims of a token that `key` signed and that has not expired at `nowSeconds`; undefined for
 * anything else (malformed, another algorithm, a bad signature, missing or mistyped claims, expired).
 * Only our own header is accepted, so `alg: none` or an RS/HS confusion cannot get through.
 */
export function verifySessionToken(
  token: string,
  key: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SessionClaims | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return undefined;
  const expected = Buffer.from(signature(`${parts[0]}.${parts[1]}`, key));
  const given = Buffer.from(parts[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isClaims(payload) || payload.exp <= nowSeconds) return undefined;
  const { sid, ten, sub, xsrf, iat, exp } = payload;
  return { sid, ten, sub, xsrf, iat, exp };
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    ['sid', 'ten', 'sub', 'xsrf'].every((name) => typeof claims[name] === 'string' && claims[name] !== '') &&
    Number.isSafeInteger(claims.iat) &&
    Number.isSafeInteger(claims.exp)
  );
}

function signature(body: string, key: Buffer): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
