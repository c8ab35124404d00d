import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  hashWorkerPool,
  type HashJobListener,
  type HashWorkerPool,
  type MeterAlgorithm,
} from './hash-worker-pool';
import { StreamTooLargeError } from './storage.errors';

export interface StreamMeterOptions {
  /** Largest number of bytes let through; one more fails the stream with `StreamTooLargeError`. */
  limit?: number;
  /**
   * Asked before each chunk passes, with the byte count including it; a promise holds the stream until
   * it settles, and a rejection fails the stream with its error (a quota reserved in steps).
   */
  admit?: (bytes: number) => Promise<void> | undefined;
  /**
   * `worker` (default): MD5 and SHA-256 run in two worker threads, so the event loop only counts and
   * copies. `inline`: both hashes on the calling thread (for comparison and for tiny hosts).
   */
  hashing?: 'worker' | 'inline';
  /** @internal The workers to use (tests); the process-wide pool by default. */
  workers?: Pick<HashWorkerPool, 'open' | 'post' | 'end' | 'abort' | 'close'>;
}

export interface StreamMeterResult {
  bytes: number;
  /** Lower-case hex. */
  md5: string;
  /** Lower-case hex. */
  sha256: string;
}

/**
 * Buffered on each side of the meter: with the default 16 KiB, the storage driver gets a few chunks
 * per write, and a large upload pays one threadpool round trip per ~32 KiB.
 */
const HIGH_WATER_MARK = 1024 * 1024;
/** Bytes per message to the workers: large enough that messaging costs little, small enough to pool. */
const BATCH_BYTES = 1024 * 1024;
/** Batches a stream may have queued at the workers before it stops taking input (backpressure). */
const MAX_BATCHES_IN_FLIGHT = 4;
const MAX_POOLED_BATCHES = 8;
const freeBatches: SharedArrayBuffer[] = [];

function takeBatch(): SharedArrayBuffer {
  return freeBatches.pop() ?? new SharedArrayBuffer(BATCH_BYTES);
}

function returnBatch(batch: SharedArrayBuffer): void {
  if (freeBatches.length < MAX_POOLED_BATCHES) freeBatches.push(batch);
}

function digestBoth(chunks: readonly Uint8Array[]): Omit<StreamMeterResult, 'bytes'> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for (const chunk of chunks) {
    md5.update(chunk);
    sha256.update(chunk);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

/**
 * Pass-through `Transform` that counts bytes, enforces a size limit and computes MD5 and SHA-256 of
 * everything that went through. Chunks are passed on unchanged and at once; hashing lags behind by
 * at most a few MiB, and `'finish'` waits for the digests, so `result` is available once `'finish'`
 * has fired (so also after a `pipeline` into a storage driver has resolved).
 */
export class StreamMeter extends Transform implements HashJobListener {
  private readonly limit: number;
  private readonly admit: StreamMeterOptions['admit'];
  private readonly workers: NonNullable<StreamMeterOptions['workers']>;
  private readonly inline: { md5: Hash; sha256: Hash } | undefined;
  private count = 0;
  private finished: StreamMeterResult | undefined;

  // Worker hashing: bytes are copied into `batch`; full batches go to both workers. Until a stream
  // reaches one batch, its chunks are copied into `unbatched` instead (a few KiB for a small upload, not a
  // 1 MiB shared buffer each) and hashed here at the end.
  private readonly unbatched: Buffer[] = [];
  private unbatchedBytes = 0;
  private batch: SharedArrayBuffer | undefined;
  private batchFill = 0;
  private jobId: number | undefined;
  private readonly inFlight: SharedArrayBuffer[] = [];
  private readonly acks: Record<MeterAlgorithm, number> = { md5: 0, sha256: 0 };
  private released = 0;
  private readonly digests: Partial<Record<MeterAlgorithm, string>> = {};
  private heldTransform: TransformCallback | undefined;
  private heldFlush: TransformCallback | undefined;

  constructor(options: StreamMeterOptions = {}) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.admit = options.admit;
    this.workers = options.workers ?? hashWorkerPool;
    if (options.hashing === 'inline') this.inline = { md5: createHash('md5'), sha256: createHash('sha256') };
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
    const admitted = this.admit?.(this.count);
    if (!admitted) return this.pass(chunk, callback);
    admitted.then(
      () => (this.destroyed ? undefined : this.pass(chunk, callback)),
      (error: Error) => callback(error),
    );
  }

  private pass(chunk: Buffer, callback: TransformCallback): void {
    if (this.inline) {
      this.inline.md5.update(chunk);
      this.inline.sha256.update(chunk);
      return callback(null, chunk);
    }
    this.push(chunk);
    if (this.jobId === undefined && this.unbatchedBytes + chunk.length < BATCH_BYTES) {
      // A copy: the producer may reuse its buffer once the chunk has passed.
      this.unbatched.push(Buffer.from(chunk));
      this.unbatchedBytes += chunk.length;
      return callback();
    }
    for (const earlier of this.unbatched.splice(0)) this.copyIntoBatches(earlier);
    this.unbatchedBytes = 0;
    this.copyIntoBatches(chunk);
    // Ask for the next chunk only while the workers keep up; otherwise the first ack does it.
    if (this.inFlight.length >= MAX_BATCHES_IN_FLIGHT) this.heldTransform = callback;
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.inline) {
      return this.finish(callback, {
        md5: this.inline.md5.digest('hex'),
        sha256: this.inline.sha256.digest('hex'),
      });
    }
    if (this.jobId === undefined) {
      // Shorter than one batch: hashing here is cheaper than a round trip to the workers.
      const digests = digestBoth(this.unbatched.splice(0));
      this.unbatchedBytes = 0;
      return this.finish(callback, digests);
    }
    if (this.batchFill > 0) this.postBatch();
    this.heldFlush = callback;
    this.workers.end(this.jobId);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.jobId !== undefined && !this.finished) this.workers.abort(this.jobId);
    // Batches still at the workers may be read there; only the unposted one can be reused.
    if (this.batch) returnBatch(this.batch);
    this.batch = undefined;
    this.unbatched.length = 0;
    callback(error);
  }

  /** @internal */
  onAck(algorithm: MeterAlgorithm): void {
    this.acks[algorithm]++;
    const hashedByBoth = Math.min(this.acks.md5, this.acks.sha256);
    while (this.released < hashedByBoth) {
      returnBatch(this.inFlight.shift()!);
      this.released++;
    }
    const held = this.heldTransform;
    if (held && this.inFlight.length < MAX_BATCHES_IN_FLIGHT) {
      this.heldTransform = undefined;
      held();
    }
  }

  /** @internal */
  onDigest(algorithm: MeterAlgorithm, digest: string): void {
    this.digests[algorithm] = digest;
    const { md5, sha256 } = this.digests;
    if (md5 === undefined || sha256 === undefined || !this.heldFlush) return;
    this.workers.close(this.jobId!);
    const callback = this.heldFlush;
    this.heldFlush = undefined;
    this.finish(callback, { md5, sha256 });
  }

  /** @internal */
  onFailure(error: Error): void {
    this.jobId = undefined;
    this.destroy(error);
  }

  private finish(callback: TransformCallback, digests: Omit<StreamMeterResult, 'bytes'>): void {
    this.finished = { bytes: this.count, ...digests };
    callback();
  }

  private copyIntoBatches(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.batch ??= takeBatch();
      const length = Math.min(BATCH_BYTES - this.batchFill, chunk.length - offset);
      new Uint8Array(this.batch, this.batchFill, length).set(chunk.subarray(offset, offset + length));
      this.batchFill += length;
      offset += length;
      if (this.batchFill === BATCH_BYTES) this.postBatch();
    }
  }

  private postBatch(): void {
    this.jobId ??= this.workers.open(this);
    this.workers.post(this.jobId, this.batch!, this.batchFill);
    this.inFlight.push(this.batch!);
    this.batch = undefined;
    this.batchFill = 0;
  }
}

/** Creates a fresh meter for one stream. */
export function createStreamMeter(options: StreamMeterOptions = {}): StreamMeter {
  return new StreamMeter(options);
}
