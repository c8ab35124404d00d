export const OCTET_STREAM = 'application/octet-stream';

// type/subtype with optional parameters; nothing that could break a header line.
const MEDIA_TYPE =
  /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i;

export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && MEDIA_TYPE.test(value.trim());
}

/**
 * A binary's `contentType`: the first candidate that is a well-formed media type, skipping the generic
 * `application/octet-stream` so a more specific fallback (the object's `type`) can win.
 */
export function chooseContentType(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    if (isMediaType(candidate) && candidate.trim().toLowerCase() !== OCTET_STREAM) return candidate.trim();
  }
  return OCTET_STREAM;
}
