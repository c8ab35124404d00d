import type { Request } from 'express';

/**
 * `scheme://host[:port]` as the client addressed us, for absolute `self`/`next`/`Location` URLs.
 * Uses Express's `req.protocol`/`req.host`, which honour `X-Forwarded-Proto`/`-Host` only when the
 * app's `trust proxy` setting (TRUST_PROXY) says the proxy is trusted.
 */
export function requestBaseUrl(request: Request): string {
  const host = request.host || request.headers.host || 'localhost';
  return `${request.protocol}://${host}`;
}
