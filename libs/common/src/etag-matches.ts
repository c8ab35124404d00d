/**
 * `If-Match` / `If-None-Match` / `If-Range` list matching against a quoted `etag`. `weak` compares
 * opaque tags only (as If-None-Match does); strong comparison refuses `W/` tags (If-Match, If-Range).
 */
export function etagMatches(header: string, etag: string, weak: boolean): boolean {
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  return trimmed
    .split(',')
    .map((candidate) => candidate.trim())
    .filter((candidate) => candidate.length > 0)
    .some((candidate) => {
      if (candidate.startsWith('W/')) return weak && candidate.slice(2) === etag;
      return candidate === etag;
    });
}
