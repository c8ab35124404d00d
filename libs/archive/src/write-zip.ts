import { Readable } from 'node:stream';
import { copyStoredRun, type StoredArchiveContent } from './copy-stored-entries';
import { dataLength, isStoredEntry, type EditedZipEntry, type ZipEntryData } from './zip-entry';
import {
  CENTRAL_HEADER_SIGNATURE,
  CENTRAL_HEADER_SIZE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8_NAMES,
  LOCAL_HEADER_SIGNATURE,
  LOCAL_HEADER_SIZE,
  MAX_UINT16,
  MAX_UINT32,
} from './zip-format';

const VERSION_NEEDED = 20;
/** Headers and small entries go out together in chunks of about this size, big entries as they are. */
const BATCH_SIZE = 64 * 1024;

/** The byte length of the zip {@link writeZip} writes for `entries`. */
export function zipLength(entries: readonly EditedZipEntry[]): number {
  let length = END_OF_CENTRAL_DIRECTORY_SIZE;
  for (const entry of entries) {
    const nameLength = Buffer.byteLength(entry.name, 'utf8');
    length += LOCAL_HEADER_SIZE + nameLength + dataLength(entry);
    length += CENTRAL_HEADER_SIZE + nameLength + entry.extra.length;
  }
  return length;
}

/**
 * Streams a zip from entries whose data is already compressed: a local header and the bytes of each
 * entry, then the central directory. Headers are made as the stream is read and big entries go out as
 * their own buffers (small ones batched with the headers around them), so the archive never exists
 * whole in memory. Entries kept from a stored archive ({@link StoredZipEntry}) are copied from
 * `stored` by ranged reads as the stream is read (see {@link copyStoredRun}). Sizes and CRC come
 * from the entries, so no data descriptors are needed. Archives are capped well below ZIP64 sizes
 * (MAX_ARCHIVE_*), so ZIP64 is refused here, before the first byte.
 */
export function writeZip(entries: readonly EditedZipEntry[], stored?: StoredArchiveContent): Readable {
  if (entries.length > MAX_UINT16) throw new Error('Too many zip entries for a non-ZIP64 archive');
  if (zipLength(entries) > MAX_UINT32) throw new Error('Zip too large for a non-ZIP64 archive');
  if (!stored && entries.some(isStoredEntry)) throw new Error('Entries kept from a stored archive need it');
  return Readable.from(editedZipChunks(entries, stored), { objectMode: false });
}

const NOTHING: readonly Buffer[] = [];

/** Joins small chunks to about {@link BATCH_SIZE}: thousands of tiny writes cost more than the copies. */
class Batcher {
  private pending: Buffer[] = [];
  private size = 0;

  /** What is ready to go out after `chunk`: nothing, a batch, or a batch and a big chunk on its own. */
  add(chunk: Buffer): readonly Buffer[] {
    if (chunk.length >= BATCH_SIZE) return [...this.flush(), chunk];
    this.pending.push(chunk);
    this.size += chunk.length;
    return this.size >= BATCH_SIZE ? this.flush() : NOTHING;
  }

  flush(): readonly Buffer[] {
    if (this.size === 0) return NOTHING;
    const batch = Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    return [batch];
  }
}

async function* editedZipChunks(
  entries: readonly EditedZipEntry[],
  stored: StoredArchiveContent | undefined,
): AsyncGenerator<Buffer> {
  const batcher = new Batcher();
  for (let index = 0; index < entries.length;) {
    const entry = entries[index];
    if (isStoredEntry(entry)) {
      // Kept entries lying one after the other are copied in one ranged read.
      const run = copyStoredRun(stored!, entries, index, localHeaderOf);
      try {
        for (let next = await run.next(); ; next = await run.next()) {
          if (next.done) {
            index = next.value;
            break;
          }
          for (const piece of next.value) for (const ready of batcher.add(piece)) yield ready;
        }
      } finally {
        // When the reader gives up mid-run (a failed write), the ranged read is ended too.
        await run.return(index);
      }
      continue;
    }
    for (const ready of batcher.add(localHeaderOf(entry))) yield ready;
    if (entry.data.length > 0) for (const ready of batcher.add(entry.data)) yield ready;
    index++;
  }
  const { offsets, centralOffset } = layout(entries);
  for (const chunk of centralDirectory(entries, offsets, centralOffset))
    for (const ready of batcher.add(chunk)) yield ready;
  yield* batcher.flush();
}

/** Where each entry's local header starts in the zip {@link writeZip} writes, and where its directory does. */
function layout(entries: readonly EditedZipEntry[]): { offsets: number[]; centralOffset: number } {
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    offsets.push(offset);
    offset += LOCAL_HEADER_SIZE + Buffer.byteLength(entry.name, 'utf8') + dataLength(entry);
  }
  return { offsets, centralOffset: offset };
}

/** The chunks of {@link writeZip} for entries in memory, in order (for the synchronous test helper). */
export function* zipChunks(entries: readonly ZipEntryData[]): Generator<Buffer> {
  for (const entry of entries) {
    yield localHeaderOf(entry);
    if (entry.data.length > 0) yield entry.data;
  }
  const { offsets, centralOffset } = layout(entries);
  yield* centralDirectory(entries, offsets, centralOffset);
}

/** An entry's local header and name. */
function localHeaderOf(entry: EditedZipEntry): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  const local = Buffer.alloc(LOCAL_HEADER_SIZE);
  local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
  writeSharedFields(local, 4, entry, name.length);
  local.writeUInt16LE(0, 28); // extra
  return Buffer.concat([local, name]);
}

/** The central directory and end record, for entries whose local headers start at `offsets`. */
function* centralDirectory(
  entries: readonly EditedZipEntry[],
  offsets: readonly number[],
  centralOffset: number,
): Generator<Buffer> {
  let centralLength = 0;
  for (const [index, entry] of entries.entries()) {
    const name = Buffer.from(entry.name, 'utf8');
    const header = Buffer.alloc(CENTRAL_HEADER_SIZE);
    header.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    header.writeUInt16LE(entry.versionMadeBy & 0xffff, 4);
    writeSharedFields(header, 6, entry, name.length);
    header.writeUInt16LE(entry.extra.length, 30);
    header.writeUInt16LE(0, 32); // comment
    header.writeUInt16LE(0, 34); // disk
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(entry.externalAttributes >>> 0, 38);
    header.writeUInt32LE(offsets[index], 42);
    centralLength += header.length + name.length + entry.extra.length;
    yield Buffer.concat([header, name, entry.extra]);
  }
  const end = Buffer.alloc(END_OF_CENTRAL_DIRECTORY_SIZE);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralLength, 12);
  end.writeUInt32LE(centralOffset, 16);
  yield end;
}

/**
 * The fields both headers share, in the same order (version needed to name length), from `at`. Sizes
 * and CRC are known up front, so the data-descriptor flag is cleared; names are always UTF-8.
 */
function writeSharedFields(header: Buffer, at: number, entry: EditedZipEntry, nameLength: number): void {
  header.writeUInt16LE(VERSION_NEEDED, at);
  header.writeUInt16LE((entry.flags & ~FLAG_DATA_DESCRIPTOR) | FLAG_UTF8_NAMES, at + 2);
  header.writeUInt16LE(entry.method, at + 4);
  header.writeUInt32LE(entry.dosTime, at + 6);
  header.writeUInt32LE(entry.crc >>> 0, at + 10);
  header.writeUInt32LE(dataLength(entry), at + 14);
  header.writeUInt32LE(entry.size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}
