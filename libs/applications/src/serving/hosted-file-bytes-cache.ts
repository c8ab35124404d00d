import { promises as fs } from 'node:fs';

/**
 * Small extracted files kept in memory, so serving one is a single socket write (no open, read and
 * close on the thread pool per request). Extracted files never change (a new archive is extracted
 * into a new directory), so an entry is never stale; the least recently used go first beyond
 * `budgetBytes`. Files larger than `maxFileBytes` are always streamed from disk.
 */
export class HostedFileBytesCache {
  /** Insertion order is recency order: a hit is moved to the end. */
  private readonly entries = new Map<string, { bytes: Promise<Buffer | undefined>; length: number }>();
  private held = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly maxFileBytes: number,
  ) {}

  /** The file's bytes when it is small enough to keep (read once); `undefined`: stream it. */
  get(absolutePath: string, length: number): Promise<Buffer | undefined> {
    if (length > this.maxFileBytes || length > this.budgetBytes || length === 0)
      return Promise.resolve(undefined);
    const cached = this.entries.get(absolutePath);
    if (cached) {
      this.entries.delete(absolutePath);
      this.entries.set(absolutePath, cached);
      return cached.bytes;
    }
    const bytes = fs.readFile(absolutePath).then(
      // A length that disagrees with the index is not ours to keep (it cannot happen; be safe).
      (content) => (content.length === length ? content : this.drop(absolutePath)),
      () => this.drop(absolutePath),
    );
    this.entries.set(absolutePath, { bytes, length });
    this.held += length;
    this.evict();
    return bytes;
  }

  private drop(absolutePath: string): undefined {
    const entry = this.entries.get(absolutePath);
    if (entry) {
      this.entries.delete(absolutePath);
      this.held -= entry.length;
    }
    return undefined;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.held <= this.budgetBytes) return;
      this.entries.delete(key);
      this.held -= entry.length;
    }
  }
}
