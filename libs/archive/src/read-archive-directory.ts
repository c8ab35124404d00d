import { readEntryContent } from './inflate-entry';
import { InvalidArchiveError } from './invalid-archive.error';
import { withoutZip64Extra, type StoredZipEntry } from './zip-entry';
import {
  CENTRAL_HEADER_SIGNATURE,
  CENTRAL_HEADER_SIZE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  LOCAL_HEADER_SIGNATURE,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT_SIZE,
  MAX_UINT16,
  MAX_UINT32,
  S_IFDIR,
  unixFileType,
  ZIP64_END_LOCATOR_SIGNATURE,
  ZIP64_END_LOCATOR_SIZE,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
  ZIP64_EXTRA_ID,
} from './zip-format';

/** Random access to a stored zip: its length and inclusive byte ranges (a storage driver's `read`). */
export interface ArchiveByteSource {
  readonly length: number;
  read(start: number, end: number): Promise<Buffer>;
}

/**
 * An entry as the central directory describes it: every header field an edit copies into a new
 * archive, and where its local header lies.
 */
export type DirectoryEntry = StoredZipEntry;

/** The central directory of a stored zip, and the content of small entries, read in byte ranges. */
export interface ArchiveDirectory {
  /** In the order of the central directory. */
  readonly entries: readonly DirectoryEntry[];
  /** Where the entries' bytes end: the offset of the central directory. */
  readonly contentEnd: number;
  /** One entry's compressed bytes, reading only its local header and those bytes. */
  readCompressed(entry: DirectoryEntry): Promise<Buffer>;
  /** Inflates one entry of at most `maxSize` bytes, reading only its own bytes. */
  readContent(entry: DirectoryEntry, maxSize: number): Promise<Buffer>;
}

interface DirectoryRecord {
  offset: number;
  size: number;
  count: number;
}

/**
 * Reads only the central directory of a stored archive (the end record, then the directory itself),
 * so what it costs depends on the number of entries, not on the archive's size. Meant for archives
 * that passed validation when they were stored.
 */
export async function readArchiveDirectory(source: ArchiveByteSource): Promise<ArchiveDirectory> {
  const record = await findDirectory(source);
  const directory =
    record.size === 0 ? Buffer.alloc(0) : await source.read(record.offset, record.offset + record.size - 1);
  const entries = parseCentralDirectory(directory, record.count);
  const known = new Set<DirectoryEntry>(entries);
  const readCompressed = async (entry: DirectoryEntry): Promise<Buffer> => {
    if (!known.has(entry)) throw new Error('not an entry of this directory');
    const offset = entry.localHeaderOffset;
    const local = await source.read(offset, offset + LOCAL_HEADER_SIZE - 1);
    if (local.length < LOCAL_HEADER_SIZE || local.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw corrupt();
    const dataStart = offset + LOCAL_HEADER_SIZE + local.readUInt16LE(26) + local.readUInt16LE(28);
    const { compressedSize } = entry;
    return compressedSize === 0 ? Buffer.alloc(0) : source.read(dataStart, dataStart + compressedSize - 1);
  };
  return {
    entries,
    contentEnd: record.offset,
    readCompressed,
    readContent: async (entry, maxSize) =>
      readEntryContent(
        { method: entry.method, data: await readCompressed(entry) },
        JSON.stringify(entry.name),
        maxSize,
      ),
  };
}

/**
 * The central headers of `directory`, decoded as adm-zip decodes them for `readArchive` (names as
 * UTF-8, ZIP64 sizes and offset from the extra field's fixed positions), so an entry is described here
 * exactly as it was when the archive was validated. Decoded by hand: adm-zip builds an object graph
 * per entry, which for thousands of entries costs far more than the reads.
 */
function parseCentralDirectory(directory: Buffer, count: number): DirectoryEntry[] {
  const entries: DirectoryEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (
      at + CENTRAL_HEADER_SIZE > directory.length ||
      directory.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE
    )
      throw corrupt();
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameStart = at + CENTRAL_HEADER_SIZE;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) throw corrupt();
    const name = directory.toString('utf8', nameStart, extraStart);
    const rawExtra = directory.subarray(extraStart, extraStart + extraLength);
    const externalAttributes = directory.readUInt32LE(at + 38);
    const sizes = zip64Sizes(rawExtra, {
      size: directory.readUInt32LE(at + 24),
      compressedSize: directory.readUInt32LE(at + 20),
      offset: directory.readUInt32LE(at + 42),
    });
    entries.push({
      name,
      isDirectory: name.endsWith('/') || unixFileType(externalAttributes) === S_IFDIR,
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      size: sizes.size,
      compressedSize: sizes.compressedSize,
      dosTime: directory.readUInt32LE(at + 12),
      versionMadeBy: directory.readUInt16LE(at + 4),
      externalAttributes,
      flags: directory.readUInt16LE(at + 8),
      // A copy: the entry outlives the directory buffer, which holds every other entry too.
      extra: Buffer.from(withoutZip64Extra(rawExtra)),
      localHeaderOffset: sizes.offset,
    });
    at = next;
  }
  return entries;
}

interface EntrySizes {
  size: number;
  compressedSize: number;
  offset: number;
}

/** Header values replaced by a ZIP64 extra record: a 32-bit field of all ones defers to it. */
function zip64Sizes(extra: Buffer, header: EntrySizes): EntrySizes {
  const sizes = { ...header };
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const data = extra.subarray(at + 4, Math.min(extra.length, at + 4 + length));
    at += 4 + length;
    if (id !== ZIP64_EXTRA_ID) continue;
    // adm-zip reads the record's fields at fixed positions; so do we, to describe entries alike.
    if (data.length >= 8 && sizes.size === MAX_UINT32) sizes.size = Number(data.readBigUInt64LE(0));
    if (data.length >= 16 && sizes.compressedSize === MAX_UINT32)
      sizes.compressedSize = Number(data.readBigUInt64LE(8));
    if (data.length >= 24 && sizes.offset === MAX_UINT32) sizes.offset = Number(data.readBigUInt64LE(16));
  }
  return sizes;
}

async function findDirectory(source: ArchiveByteSource): Promise<DirectoryRecord> {
  const tailLength = Math.min(
    source.length,
    END_OF_CENTRAL_DIRECTORY_SIZE + MAX_COMMENT_SIZE + ZIP64_END_LOCATOR_SIZE,
  );
  if (tailLength < END_OF_CENTRAL_DIRECTORY_SIZE) throw corrupt();
  const tailStart = source.length - tailLength;
  const tail = await source.read(tailStart, source.length - 1);
  let at = tail.length - END_OF_CENTRAL_DIRECTORY_SIZE;
  while (at >= 0 && tail.readUInt32LE(at) !== END_OF_CENTRAL_DIRECTORY_SIGNATURE) at--;
  if (at < 0) throw corrupt();
  const record: DirectoryRecord = {
    count: tail.readUInt16LE(at + 10),
    size: tail.readUInt32LE(at + 12),
    offset: tail.readUInt32LE(at + 16),
  };
  const locatorAt = at - ZIP64_END_LOCATOR_SIZE;
  const isZip64 = record.count === MAX_UINT16 || record.size === MAX_UINT32 || record.offset === MAX_UINT32;
  if (isZip64 && locatorAt >= 0 && tail.readUInt32LE(locatorAt) === ZIP64_END_LOCATOR_SIGNATURE) {
    const zip64At = Number(tail.readBigUInt64LE(locatorAt + 8));
    const zip64 = await source.read(zip64At, zip64At + ZIP64_END_SIZE - 1);
    if (zip64.length < ZIP64_END_SIZE || zip64.readUInt32LE(0) !== ZIP64_END_SIGNATURE) throw corrupt();
    record.count = Number(zip64.readBigUInt64LE(32));
    record.size = Number(zip64.readBigUInt64LE(40));
    record.offset = Number(zip64.readBigUInt64LE(48));
  }
  if (record.offset + record.size > source.length || record.size < record.count * CENTRAL_HEADER_SIZE)
    throw corrupt();
  return record;
}

function corrupt(): InvalidArchiveError {
  return new InvalidArchiveError('not a zip', 'corrupt zip directory');
}
