import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StreamTooLargeError } from './storage.errors';

export interface StreamMeterOptions {
  /** Largest number of bytes let through; one more fails the stream with `StreamTooLargeError`. */
  limit?: number;
}

export interface StreamMeterResult {
  bytes: number;
  /** Lower-case hex. */
  md5: string;
  /** Lower-case hex. */
  sha256: string;
}

/**
 * Pass-through `Transform` that counts bytes, enforces a size limit and computes MD5 and SHA-256 of
 * everything that went through. `result` is available once `'finish'` has fired (so also after a
 * `pipeline` into a storage driver has resolved).
 */
export class StreamMeter extends Transform {
  private readonly limit: number;
  private count = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private finished: StreamMeterResult | undefined;

  constructor(options: StreamMeterOptions = {}) {
    super();
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.count;
  }

  /** Byte count and digests; throws if the stream has not finished. */
  get result(): StreamMeterResult {
    if (!this.finished) throw new Error('StreamMeter.result read before the stream finished');
    return this.finished;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    // Fail before passing the chunk on, so not one byte past the limit reaches the sink.
    if (this.count > this.limit) return callback(new StreamTooLargeError(this.limit));
    this.md5.update(chunk);
    this.sha256.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.finished = {
      bytes: this.count,
      md5: this.md5.digest('hex'),
      sha256: this.sha256.digest('hex'),
    };
    callback();
  }
}

/** Creates a fresh meter for one stream. */
export function createStreamMeter(options: StreamMeterOptions = {}): StreamMeter {
  return new StreamMeter(options);
}
