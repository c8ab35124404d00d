/** Credentials from `Authorization: Basic base64(tenant/user:password)` or `base64(user:password)`. */
export interface BasicCredentials {
  /** Undefined for the `user:password` form (the bootstrap tenant). */
  tenant?: string;
  userName: string;
  password: string;
}

/**
 * Undefined when the header is missing, not Basic, or malformed. A U+0000 anywhere is malformed:
 * PostgreSQL refuses it in text (the user lookup would fail with a 500), and scrypt ignores
 * trailing zero bytes of a password ("pw\0" would pass for "pw").
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  if (decoded.includes('\u0000')) return undefined;
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const login = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const slash = login.indexOf('/');
  if (slash === -1) return { userName: login, password };
  const tenant = login.slice(0, slash);
  const userName = login.slice(slash + 1);
  if (!tenant || !userName) return undefined;
  return { tenant, userName, password };
}
