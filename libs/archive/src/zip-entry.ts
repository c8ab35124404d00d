import { crc32, deflateRawSync } from 'node:zlib';
import { METHOD_DEFLATED, METHOD_STORED, S_IFREG, ZIP64_EXTRA_ID } from './zip-format';

/** The header fields of a zip entry: what both of its headers say about it. */
export interface ZipEntryHeader {
  /** Full path in the archive; directories end with `/`. */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly method: number;
  readonly crc: number;
  /** Inflated size. */
  readonly size: number;
  readonly compressedSize: number;
  /** MS-DOS date and time, as stored in the headers. */
  readonly dosTime: number;
  readonly versionMadeBy: number;
  readonly externalAttributes: number;
  readonly flags: number;
  /** Central-directory extra field (timestamps, unix ids), without any ZIP64 record. */
  readonly extra: Buffer;
}

/**
 * One entry of an archive being built, carrying its bytes exactly as they go into the zip (already
 * compressed) plus the header fields that describe them. Entries taken from an existing zip keep the
 * compressed bytes of that zip, so copying them into a new archive never inflates or deflates them.
 */
export interface ZipEntryData extends ZipEntryHeader {
  /** The compressed bytes. */
  readonly data: Buffer;
}

/**
 * An entry kept from a stored archive: its header fields from the central directory, its compressed
 * bytes still in storage after the local header at `localHeaderOffset` (see `readArchiveDirectory`).
 */
export interface StoredZipEntry extends ZipEntryHeader {
  readonly localHeaderOffset: number;
}

/** An entry of an edited archive: new (bytes in memory) or kept from the stored archive (bytes there). */
export type EditedZipEntry = ZipEntryData | StoredZipEntry;

/** Whether `entry` still has its bytes in the stored archive. */
export function isStoredEntry(entry: EditedZipEntry): entry is StoredZipEntry {
  return !('data' in entry);
}

/** The length of the compressed bytes the writer copies for `entry`. */
export function dataLength(entry: EditedZipEntry): number {
  return isStoredEntry(entry) ? entry.compressedSize : entry.data.length;
}

/** A new file entry, deflated (or stored when deflating does not pay). */
export function createFileEntry(name: string, content: Buffer, modified = new Date()): ZipEntryData {
  const deflated = deflateRawSync(content);
  const useDeflate = deflated.length < content.length;
  const data = useDeflate ? deflated : content;
  return {
    name,
    isDirectory: false,
    method: useDeflate ? METHOD_DEFLATED : METHOD_STORED,
    crc: crc32(content),
    size: content.length,
    compressedSize: data.length,
    dosTime: toDosTime(modified),
    versionMadeBy: 0x031e, // unix, zip 3.0
    externalAttributes: ((S_IFREG | 0o644) << 16) >>> 0,
    flags: 0,
    extra: Buffer.alloc(0),
    data,
  };
}

/** The same entry under another name (bytes and attributes unchanged). */
export function renameEntry<Entry extends ZipEntryHeader>(entry: Entry, name: string): Entry {
  return { ...entry, name };
}

export function toDosTime(date: Date): number {
  const year = Math.min(2107, Math.max(1980, date.getFullYear()));
  return (
    (((year - 1980) << 25) |
      ((date.getMonth() + 1) << 21) |
      (date.getDate() << 16) |
      (date.getHours() << 11) |
      (date.getMinutes() << 5) |
      (date.getSeconds() >> 1)) >>>
    0
  );
}

// Sizes are rewritten as plain 32-bit fields, so a ZIP64 record left in the extra field would
// describe values that are no longer there.
export function withoutZip64Extra(extra: Buffer): Buffer {
  const kept: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= extra.length) {
    const id = extra.readUInt16LE(offset);
    const length = extra.readUInt16LE(offset + 2);
    const end = Math.min(extra.length, offset + 4 + length);
    if (id !== ZIP64_EXTRA_ID) kept.push(extra.subarray(offset, end));
    offset = end;
  }
  return Buffer.concat(kept);
}
