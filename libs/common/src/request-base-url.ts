import type { Request } from 'express';
import type { Socket } from 'node:net';

/** The Express setting that holds the validated `PUBLIC_URL` (e.g. `app.set(PUBLIC_URL_SETTING, url)`). */
export const PUBLIC_URL_SETTING = 'depot public url';

// A reg-name or IPv4 address, or a bracketed IPv6 address, with an optional port: no userinfo,
// path, query, spaces or percent signs that would bend or break the links built on it.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d{1,5}))?$/;

/**
 * `scheme://host[:port][/prefix]` for absolute `self`/`next`/`prev`/`Location` URLs. `PUBLIC_URL`
 * when configured; otherwise as the client addressed us (Express's `req.protocol`/`req.host`, which
 * honour `X-Forwarded-Proto`/`-Host` only when TRUST_PROXY trusts the proxy), falling back to the
 * address the connection came in on when that `Host` is malformed.
 */
export function requestBaseUrl(request: Request): string {
  const configured: unknown = request.app?.get(PUBLIC_URL_SETTING);
  if (typeof configured === 'string') return configured;
  const socket: Socket | undefined = request.socket;
  const encrypted = (socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const protocol = request.protocol === 'http' || request.protocol === 'https' ? request.protocol : undefined;
  const host = request.host;
  if (isValidHost(host)) return `${protocol ?? (encrypted ? 'https' : 'http')}://${host}`;
  return `${encrypted ? 'https' : 'http'}://${listeningAddress(socket)}`;
}

/** The request's own absolute URL (path and query as received), on `requestBaseUrl`. */
export function requestUrl(request: Request): URL {
  const target = request.originalUrl || request.url || '/';
  // An absolute-form request target (`GET http://other/x`) names no host we answer for: keep its path.
  const pathAndQuery = target.startsWith('/') ? target : pathOf(target);
  return new URL(`${requestBaseUrl(request)}${pathAndQuery}`);
}

function isValidHost(host: string | undefined): host is string {
  if (!host) return false;
  const match = HOST.exec(host);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return false;
  try {
    new URL(`http://${host}`);
    return true;
  } catch {
    return false;
  }
}

function listeningAddress(socket: Socket | undefined): string {
  const address = socket?.localAddress;
  if (!address) return 'localhost';
  const host = address.includes(':') ? `[${address}]` : address;
  return socket.localPort ? `${host}:${socket.localPort}` : host;
}

function pathOf(target: string): string {
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return '/';
  }
}
