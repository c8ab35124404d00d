import type { ChunkLender } from './chunk-lender';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** Bytes per read by default, as `fs.createReadStream` with a 1 MiB `highWaterMark` reads. */
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Returned buffers kept for the next reads; a consumer holds one or two at a time. */
const MAX_FREE_BUFFERS = 4;

/**
 * Reads bytes `start`..`end` (inclusive; `end` may be `Infinity`) of an open file and closes it when
 * done or destroyed. Its chunks are lent (`ChunkLender`): a returned chunk's memory is read into again,
 * so a download that returns them allocates a few buffers in all instead of one per MiB. A chunk that
 * is not returned is never reused, so any other consumer reads it as from `fs.createReadStream`.
 */
export class FileReadStream extends Readable implements ChunkLender {
  private position: number;
  private readonly free: Buffer[] = [];
  /** The memory of chunks handed out and not yet returned (weakly: a kept chunk is simply garbage later). */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    super({ highWaterMark: chunkBytes });
    this.position = start;
  }

  override _read(): void {
    const wanted = Math.min(this.chunkBytes, this.end + 1 - this.position);
    if (wanted <= 0) {
      this.push(null);
      return;
    }
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes);
    this.handle.read(buffer, 0, wanted, this.position).then(
      ({ bytesRead }) => {
        if (this.destroyed) return;
        if (bytesRead === 0) {
          this.push(null);
          return;
        }
        this.position += bytesRead;
        this.lent.add(buffer.buffer);
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: Error) => this.destroy(error),
    );
  }

  returnChunk(chunk: Uint8Array): void {
    if (this.destroyed || !this.lent.delete(chunk.buffer)) return;
    if (this.free.length < MAX_FREE_BUFFERS) this.free.push(Buffer.from(chunk.buffer, 0, this.chunkBytes));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.free.length = 0;
    // FileHandle.close waits for a read still under way.
    this.handle.close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }
}
