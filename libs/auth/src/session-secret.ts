import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const SESSION_SECRET_FILE = 'session-secret';
/** Shortest configured secret accepted (bytes of text): HS256 wants a key of at least 256 bits. */
export const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * The key session tokens are signed with: `configured` (SESSION_SECRET) when given, else the one kept
 * in `DATA_DIR/session-secret` (mode 0600), created on first use. Several processes on one data dir
 * share it; the first writes a temp file and links it into place, which fails for every other
 * process that raced it, and they read the winner's key.
 */
export function resolveSessionSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  const created = readSecretFile(file);
  if (!created) throw new Error(`${file} is empty`);
  return created;
}

function readSecretFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (text === '') throw new Error(`${file} is empty: delete it to have a new key generated`);
  return Buffer.from(text, 'utf8');
}
