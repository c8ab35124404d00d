/**
 * The name rules of archive entries, in one place: how two names are compared (validation, edits)
 * and how a name is written to disk and looked up when served.
 */

/** The root manifest of an application or plugin. */
export const MANIFEST_FILE = 'cumulocity.json';

/** Longest path segment in UTF-8 bytes: what ext4, XFS, APFS and NTFS can create (NAME_MAX). */
export const MAX_SEGMENT_BYTES = 255;

/**
 * The key two entry names are compared by: without a directory's trailing `/`, NFC-normalised and
 * case-folded. Names with the same key would be one file on a case-insensitive or normalising
 * filesystem (and the name a browser sends, NFC, must find either), so an archive holds each key once.
 */
export function entryKey(name: string): string {
  return servedPath(name.endsWith('/') ? name.slice(0, -1) : name).toLowerCase();
}

/**
 * The form a name takes on disk and in a request: NFC, as browsers send URLs. Serving extracts under
 * this form and looks requests up by it, so an NFD entry answers the NFC request.
 */
export function servedPath(name: string): string {
  return name.normalize('NFC');
}

/** The first segment longer than {@link MAX_SEGMENT_BYTES}, if any. */
export function overlongSegment(segments: readonly string[]): string | undefined {
  return segments.find((segment) => Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES);
}
