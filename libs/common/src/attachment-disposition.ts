import contentDisposition from 'content-disposition';

/**
 * The most UTF-8 bytes of a name the header carries: what file systems store (NAME_MAX), so the
 * header stays near 1 KiB (ASCII fallback plus the percent-encoded name) whatever is stored.
 */
export const MAX_DOWNLOAD_NAME_BYTES = 255;

/** Longer "extensions" are just part of the name. */
const MAX_EXTENSION_BYTES = 32;

/**
 * `attachment; filename="<ascii>"[; filename*=UTF-8''<percent-encoded>]` (RFC 6266 / 8187) for a
 * stored name. Path separators become `_` (the whole name is the file name), the quoted fallback
 * keeps printable ASCII only, and a long name is shortened here, never in storage.
 */
export function attachmentDisposition(name: string): string {
  const fileName = shortenFileName(name.replace(/[/\\]/g, '_'), MAX_DOWNLOAD_NAME_BYTES);
  return contentDisposition(fileName, { fallback: fileName.replace(/[^\x20-\x7e]/g, '_') });
}

/**
 * At most `maxBytes` of UTF-8, cut on a code point and keeping a short extension, so the name a
 * browser saves still opens with the right program.
 */
export function shortenFileName(name: string, maxBytes: number): string {
  // Lone surrogates cannot be percent-encoded; they would be U+FFFD in storage anyway.
  const wellFormed = name.replace(/\p{Surrogate}/gu, '\uFFFD');
  if (Buffer.byteLength(wellFormed) <= maxBytes) return wellFormed;
  const dot = wellFormed.lastIndexOf('.');
  const candidate = dot > 0 ? wellFormed.slice(dot) : '';
  const extension = Buffer.byteLength(candidate) <= MAX_EXTENSION_BYTES ? candidate : '';
  let budget = maxBytes - Buffer.byteLength(extension);
  let base = '';
  for (const char of wellFormed.slice(0, wellFormed.length - extension.length)) {
    budget -= Buffer.byteLength(char);
    if (budget < 0) break;
    base += char;
  }
  return base + extension;
}
