import { InvalidArchiveError } from './invalid-archive.error';
import { isStoredEntry, type EditedZipEntry, type StoredZipEntry } from './zip-entry';
import { LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_SIZE } from './zip-format';

/** Ranged reads of a stored archive's entry bytes (a storage driver's ranged `read`). */
export interface StoredArchiveContent {
  /** Where the entries' bytes end: the offset of the central directory. */
  readonly contentEnd: number;
  /** The bytes `start` to `end` (inclusive), streamed. */
  open(start: number, end: number): Promise<AsyncIterable<Buffer>>;
}

/** A gap of removed entries longer than this is skipped by opening a new range instead of reading it. */
const REOPEN_GAP = 1024 * 1024;

/** Where the copy of an entry is: its local header, the name and extra field after it, its bytes. */
type Phase = 'gap' | 'header' | 'name' | 'data';

/**
 * Copies the compressed bytes of kept entries out of a stored archive. A run of kept entries that lie
 * one after the other in the stored archive (the order of an archive this library wrote) shares one
 * ranged read, which runs to the end of the entries and is given up once the run is copied. Each chunk
 * storage delivers is cut into the pieces of the new archive synchronously, so the work per chunk does
 * not grow with the number of entries in it, and memory stays at a chunk or two whatever the size.
 */
export async function* copyStoredRun(
  content: StoredArchiveContent,
  entries: readonly EditedZipEntry[],
  from: number,
  /** The new archive's local header (and name) of an entry, put before its bytes. */
  headerOf: (entry: StoredZipEntry) => Buffer,
): AsyncGenerator<Buffer[], number> {
  let index = from;
  let entry = entries[index] as StoredZipEntry;
  let position = entry.localHeaderOffset;
  let phase: Phase = 'header';
  let left = LOCAL_HEADER_SIZE;
  const header = Buffer.alloc(LOCAL_HEADER_SIZE);
  if (position + LOCAL_HEADER_SIZE > content.contentEnd) throw corrupt(entry);
  const range = await content.open(position, content.contentEnd - 1);
  for await (const chunk of range) {
    const pieces: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(left, chunk.length - at);
      if (phase === 'header') chunk.copy(header, LOCAL_HEADER_SIZE - left, at, at + take);
      else if (phase === 'data') pieces.push(chunk.subarray(at, at + take));
      at += take;
      position += take;
      left -= take;
      if (left > 0) continue;
      if (phase === 'gap') [phase, left] = ['header', LOCAL_HEADER_SIZE];
      else if (phase === 'header') {
        if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw corrupt(entry);
        [phase, left] = ['name', header.readUInt16LE(26) + header.readUInt16LE(28)];
      } else if (phase === 'name') {
        pieces.push(headerOf(entry));
        [phase, left] = ['data', entry.compressedSize];
      }
      if (phase !== 'data' || left > 0) continue;
      // The entry is copied: go on with the next if it lies further on in this range.
      const next = entries[++index];
      const gap = next && isStoredEntry(next) ? next.localHeaderOffset - position : -1;
      if (gap < 0 || gap > REOPEN_GAP) {
        yield pieces;
        // Leaving the loop ends the ranged read (a Readable is destroyed by its iterator's return).
        return index;
      }
      entry = next as StoredZipEntry;
      [phase, left] = gap > 0 ? ['gap', gap] : ['header', LOCAL_HEADER_SIZE];
    }
    yield pieces;
  }
  throw corrupt(entry);
}

/** The stored archive does not hold what its central directory promised (it was validated when stored). */
function corrupt(entry: StoredZipEntry): InvalidArchiveError {
  return new InvalidArchiveError(
    'corrupt data',
    `stored archive: entry ${JSON.stringify(entry.name)} is not where its central directory says`,
  );
}
