import * as path from 'node:path';

export class UnsafePathError extends Error {
  constructor(
    readonly candidate: string,
    readonly reason: string,
  ) {
    super(`Unsafe path ${JSON.stringify(candidate)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Checks a relative, slash-separated path (storage key, zip entry name, plugin file path) and returns
 * its segments. Rejects what could escape a root or be read two ways: empty, absolute, drive letters,
 * backslashes, NUL and control characters, `.`/`..` and empty segments. A trailing `/` (a directory
 * entry in a zip) is allowed only with `allowTrailingSlash`.
 */
export function assertSafeRelativePath(
  candidate: string,
  options: { allowTrailingSlash?: boolean } = {},
): string[] {
  if (typeof candidate !== 'string' || candidate.length === 0)
    throw new UnsafePathError(String(candidate), 'empty');
  if (candidate.length > 1024) throw new UnsafePathError(candidate.slice(0, 64), 'too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(candidate)) throw new UnsafePathError(candidate, 'control character');
  if (candidate.includes('\\')) throw new UnsafePathError(candidate, 'backslash');
  if (candidate.startsWith('/')) throw new UnsafePathError(candidate, 'absolute');
  if (/^[a-zA-Z]:/.test(candidate)) throw new UnsafePathError(candidate, 'drive letter');
  const body = options.allowTrailingSlash && candidate.endsWith('/') ? candidate.slice(0, -1) : candidate;
  const segments = body.split('/');
  for (const segment of segments) {
    if (segment === '') throw new UnsafePathError(candidate, 'empty segment');
    if (segment === '.' || segment === '..') throw new UnsafePathError(candidate, 'dot segment');
  }
  return segments;
}

/**
 * Resolves `relative` under `root` and proves the result stays inside it (`root + path.sep`), the
 * last line of defence for anything that touches the filesystem.
 */
export function resolveInside(root: string, relative: string): string {
  assertSafeRelativePath(relative);
  const resolvedRoot = path.resolve(root);
  const resolved = path.resolve(resolvedRoot, relative);
  if (!resolved.startsWith(resolvedRoot + path.sep)) throw new UnsafePathError(relative, 'escapes root');
  return resolved;
}
