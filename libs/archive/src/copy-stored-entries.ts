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
 * Where the stored local header is byte for byte the one the new archive needs (always, in an archive
 * this library wrote), the stored bytes pass on as they are: a stretch of such entries goes out as
 * views of the chunks storage delivered, with nothing copied or allocated per entry.
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
  let header = new StoredHeader(headerOf(entry));
  if (position + LOCAL_HEADER_SIZE > content.contentEnd) throw corrupt(entry);
  const range = await content.open(position, content.contentEnd - 1);
  for await (const chunk of range) {
    const pieces = new Pieces();
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(left, chunk.length - at);
      const slice = chunk.subarray(at, at + take);
      if (phase === 'header' || phase === 'name') header.add(slice);
      else if (phase === 'data') pieces.add(slice);
      at += take;
      position += take;
      left -= take;
      if (left > 0) continue;
      if (phase === 'gap') [phase, left] = ['header', LOCAL_HEADER_SIZE];
      else if (phase === 'header') {
        if (!header.isLocalHeader()) throw corrupt(entry);
        [phase, left] = ['name', header.nameAndExtraLength()];
      } else if (phase === 'name') {
        for (const piece of header.out()) pieces.add(piece);
        [phase, left] = ['data', entry.compressedSize];
      }
      if (phase !== 'data' || left > 0) continue;
      // The entry is copied: go on with the next if it lies further on in this range.
      const next = entries[++index];
      const gap = next && isStoredEntry(next) ? next.localHeaderOffset - position : -1;
      if (gap < 0 || gap > REOPEN_GAP) {
        yield pieces.list;
        // Leaving the loop ends the ranged read (a Readable is destroyed by its iterator's return).
        return index;
      }
      entry = next as StoredZipEntry;
      header = new StoredHeader(headerOf(entry));
      [phase, left] = gap > 0 ? ['gap', gap] : ['header', LOCAL_HEADER_SIZE];
    }
    yield pieces.list;
  }
  throw corrupt(entry);
}

/** The stored local header and name of an entry as they arrive, compared with the one wanted. */
class StoredHeader {
  private readonly slices: Buffer[] = [];
  private length = 0;
  private same = true;

  constructor(private readonly wanted: Buffer) {}

  add(slice: Buffer): void {
    const end = this.length + slice.length;
    this.same &&= end <= this.wanted.length && slice.equals(this.wanted.subarray(this.length, end));
    this.slices.push(slice);
    this.length = end;
  }

  isLocalHeader(): boolean {
    return this.fixedPart().readUInt32LE(0) === LOCAL_HEADER_SIGNATURE;
  }

  nameAndExtraLength(): number {
    const fixed = this.fixedPart();
    return fixed.readUInt16LE(26) + fixed.readUInt16LE(28);
  }

  /** The stored bytes when they are the wanted ones, else the wanted header. */
  out(): Buffer[] {
    return this.same && this.length === this.wanted.length ? this.slices : [this.wanted];
  }

  private fixedPart(): Buffer {
    return this.slices.length === 1 ? this.slices[0] : Buffer.concat(this.slices, LOCAL_HEADER_SIZE);
  }
}

/** Pieces of the new archive; a piece that continues the last one in the same memory joins it. */
class Pieces {
  readonly list: Buffer[] = [];

  add(piece: Buffer): void {
    const last = this.list.at(-1);
    if (last && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset)
      this.list[this.list.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
    else this.list.push(piece);
  }
}

/** The stored archive does not hold what its central directory promised (it was validated when stored). */
function corrupt(entry: StoredZipEntry): InvalidArchiveError {
  return new InvalidArchiveError(
    'corrupt data',
    `stored archive: entry ${JSON.stringify(entry.name)} is not where its central directory says`,
  );
}
