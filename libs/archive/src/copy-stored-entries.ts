import { InvalidArchiveError } from './invalid-archive.error';
import type { StoredZipEntry } from './zip-entry';
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

/**
 * Streams the compressed bytes of kept entries out of a stored archive. Entries in ascending offset
 * order (the order of an archive this library wrote) share one ranged read from storage, which runs to
 * the end of the entries and is given up once nothing more is needed from it; the bytes pass as the
 * slices storage delivers, so memory stays at a chunk or two whatever the archive's size.
 */
export class StoredEntryCopier {
  private cursor: RangeCursor | undefined;

  constructor(private readonly content: StoredArchiveContent) {}

  /** The compressed bytes of `entry`, read after its local header. */
  async *dataOf(entry: StoredZipEntry): AsyncGenerator<Buffer> {
    const start = entry.localHeaderOffset;
    if (!this.cursor || start < this.cursor.position || start - this.cursor.position > REOPEN_GAP) {
      await this.close();
      if (start + LOCAL_HEADER_SIZE + entry.compressedSize > this.content.contentEnd) throw corrupt(entry);
      const range = await this.content.open(start, this.content.contentEnd - 1);
      this.cursor = new RangeCursor(range[Symbol.asyncIterator](), start);
    }
    const cursor = this.cursor;
    await cursor.skip(start - cursor.position, entry);
    const header = await cursor.take(LOCAL_HEADER_SIZE, entry);
    if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw corrupt(entry);
    await cursor.skip(header.readUInt16LE(26) + header.readUInt16LE(28), entry);
    yield* cursor.pass(entry.compressedSize, entry);
  }

  /** Gives up the open range, if any (idempotent). */
  async close(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = undefined;
    await cursor?.close();
  }
}

/** A position in one ranged read, consumed front to back. */
class RangeCursor {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    /** Offset in the archive of the next unread byte. */
    public position: number,
  ) {}

  /** The next `count` bytes, as the slices that arrive. */
  async *pass(count: number, entry: StoredZipEntry): AsyncGenerator<Buffer> {
    for (let left = count; left > 0;) {
      const slice = await this.next(left, entry);
      left -= slice.length;
      yield slice;
    }
  }

  async take(count: number, entry: StoredZipEntry): Promise<Buffer> {
    const slices: Buffer[] = [];
    for (let left = count; left > 0;) {
      const slice = await this.next(left, entry);
      left -= slice.length;
      slices.push(slice);
    }
    return Buffer.concat(slices, count);
  }

  async skip(count: number, entry: StoredZipEntry): Promise<void> {
    for (let left = count; left > 0;) left -= (await this.next(left, entry)).length;
  }

  /** Up to `most` bytes (at least one), from what arrived or from the next chunk. */
  private async next(most: number, entry: StoredZipEntry): Promise<Buffer> {
    if (this.pending.length === 0) {
      const next = await this.chunks.next();
      if (next.done) throw corrupt(entry);
      this.pending = next.value;
    }
    const slice = this.pending.subarray(0, Math.min(most, this.pending.length));
    this.pending = this.pending.subarray(slice.length);
    this.position += slice.length;
    return slice;
  }

  async close(): Promise<void> {
    // Ends the storage stream (a Readable is destroyed by its iterator's return).
    await this.chunks.return?.();
  }
}

/** The stored archive does not hold what its central directory promised (it was validated when stored). */
function corrupt(entry: StoredZipEntry): InvalidArchiveError {
  return new InvalidArchiveError(
    'corrupt data',
    `stored archive: entry ${JSON.stringify(entry.name)} is not where its central directory says`,
  );
}
