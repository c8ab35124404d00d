import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HashJobListener } from './hash-worker-pool';
import { createStreamMeter } from './stream-meter';
import { StreamTooLargeError } from './storage.errors';

function sink(): Writable & { received: number } {
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writable.received += chunk.length;
      callback();
    },
  }) as Writable & { received: number };
  writable.received = 0;
  return writable;
}

function chunksOf(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size)
    chunks.push(data.subarray(offset, offset + size));
  return chunks;
}

const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');
const MiB = 1024 * 1024;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Waits (up to 5 s, for a busy machine) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await tick()) {
    if (Date.now() - started > 5000) throw new Error('condition not reached');
  }
}

/** Workers that hash nothing and answer only when told, to watch the meter's side of the protocol. */
class StubWorkers {
  listener: HashJobListener | undefined;
  readonly posted: Buffer[] = [];
  acked = 0;
  ended = false;
  aborted = false;
  open(listener: HashJobListener): number {
    this.listener = listener;
    return 1;
  }
  post(_id: number, buffer: SharedArrayBuffer, length: number): void {
    this.posted.push(Buffer.from(new Uint8Array(buffer, 0, length)));
  }
  end(): void {
    this.ended = true;
  }
  abort(): void {
    this.aborted = true;
  }
  close(): void {}
  ackAll(): void {
    for (; this.acked < this.posted.length; this.acked++) {
      this.listener!.onAck('md5');
      this.listener!.onAck('sha256');
    }
  }
}

describe('createStreamMeter', () => {
  it.each([0, 1, 1000, 3 * 1024 * 1024 + 17])('counts and hashes %d bytes like crypto', async (size) => {
    const data = randomBytes(size);
    const meter = createStreamMeter();
    const out = sink();
    await pipeline(Readable.from(chunksOf(data, 65536)), meter, out);
    expect(out.received).toBe(size);
    expect(meter.result).toEqual({ bytes: size, md5: hex('md5', data), sha256: hex('sha256', data) });
  });

  it.each([MiB - 1, MiB, MiB + 1])(
    'hashes %d bytes from a producer that reuses one buffer for every chunk',
    async (size) => {
      const data = randomBytes(size);
      const reused = Buffer.alloc(7000);
      const meter = createStreamMeter();
      const done = pipeline(meter, sink());
      for (let offset = 0; offset < size; offset += reused.length) {
        const length = Math.min(reused.length, size - offset);
        data.copy(reused, 0, offset, offset + length);
        // Written, then overwritten as soon as the meter has taken it.
        await new Promise<void>((resolve, reject) =>
          meter.write(reused.subarray(0, length), (error) => (error ? reject(error) : resolve())),
        );
      }
      meter.end();
      await done;
      expect(meter.result).toEqual({ bytes: size, md5: hex('md5', data), sha256: hex('sha256', data) });
    },
  );

  it('lets a stream of exactly the limit through', async () => {
    const data = randomBytes(10_000);
    const meter = createStreamMeter({ limit: 10_000 });
    await pipeline(Readable.from(chunksOf(data, 999)), meter, sink());
    expect(meter.result.bytes).toBe(10_000);
  });

  it('fails one byte over the limit without reading further or passing the excess on', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.alloc(1000, i);
        await Promise.resolve();
      }
    }
    const meter = createStreamMeter({ limit: 4999 });
    const out = sink();
    const error = await pipeline(Readable.from(source()), meter, out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamTooLargeError);
    expect((error as StreamTooLargeError).limit).toBe(4999);
    expect(out.received).toBeLessThanOrEqual(4999);
    // The source may have produced a little read-ahead, never the whole stream.
    expect(pulled).toBeLessThan(10);
    expect(() => meter.result).toThrow();
  });

  it('holds each chunk until admit resolves and lets it pass only then', async () => {
    const data = randomBytes(5000);
    const asked: number[] = [];
    let granted = 0;
    const out = sink();
    const admit = (bytes: number): Promise<void> | undefined => {
      asked.push(bytes);
      if (bytes <= granted) return undefined;
      // Nothing of the chunk may have reached the sink while its room is being asked for.
      expect(out.received).toBeLessThanOrEqual(bytes - 1000);
      return new Promise((resolve) =>
        setTimeout(() => {
          granted = bytes + 1000;
          resolve();
        }, 5),
      );
    };
    const meter = createStreamMeter({ admit });
    await pipeline(Readable.from(chunksOf(data, 1000)), meter, out);
    expect(asked).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(meter.result.sha256).toBe(hex('sha256', data));
  });

  it('fails with the error admit rejects with, passing nothing of the refused chunk on', async () => {
    const refused = new Error('quota');
    const meter = createStreamMeter({
      admit: (bytes) => (bytes > 2000 ? Promise.reject(refused) : undefined),
    });
    const out = sink();
    const error = await pipeline(Readable.from(chunksOf(randomBytes(5000), 1000)), meter, out).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(refused);
    expect(out.received).toBe(2000);
    expect(() => meter.result).toThrow();
  });

  it('propagates a source error and never finishes', async () => {
    const source = new PassThrough();
    const meter = createStreamMeter();
    const done = pipeline(source, meter, sink());
    source.write(Buffer.alloc(100));
    source.destroy(new Error('client went away'));
    await expect(done).rejects.toThrow('client went away');
    expect(() => meter.result).toThrow();
  });

  it.each(['worker', 'inline'] as const)(
    'hashes a multi-batch stream into a slow sink in order (%s)',
    async (hashing) => {
      const data = randomBytes(9 * 1024 * 1024 + 5);
      const meter = createStreamMeter({ hashing });
      const slow = new Writable({
        highWaterMark: 1024,
        write(_chunk: Buffer, _encoding, callback) {
          setImmediate(callback);
        },
      });
      await pipeline(Readable.from(chunksOf(data, 100_003)), meter, slow);
      expect(meter.result).toEqual({
        bytes: data.length,
        md5: hex('md5', data),
        sha256: hex('sha256', data),
      });
    },
  );

  it('has the result when finish fires', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const meter = createStreamMeter();
    const atFinish = new Promise((resolve) => meter.on('finish', () => resolve(meter.result)));
    await pipeline(Readable.from(chunksOf(data, 65536)), meter, sink());
    await expect(atFinish).resolves.toEqual({
      bytes: data.length,
      md5: hex('md5', data),
      sha256: hex('sha256', data),
    });
  });

  it('fails over the limit after batches went to the workers, and later meters still work', async () => {
    const meter = createStreamMeter({ limit: 3 * 1024 * 1024 });
    const big = Readable.from(chunksOf(randomBytes(8 * 1024 * 1024), 65536));
    await expect(pipeline(big, meter, sink())).rejects.toBeInstanceOf(StreamTooLargeError);
    const data = randomBytes(2 * 1024 * 1024);
    const next = createStreamMeter();
    await pipeline(Readable.from(chunksOf(data, 65536)), next, sink());
    expect(next.result.sha256).toBe(hex('sha256', data));
  });

  it('reports bytes while streaming', async () => {
    const meter = createStreamMeter();
    const seen: number[] = [];
    meter.on('data', () => seen.push(meter.bytes));
    await pipeline(Readable.from([Buffer.alloc(3), Buffer.alloc(4)]), meter, sink());
    expect(seen).toEqual([3, 7]);
  });

  describe('with hashing in workers', () => {
    it('stops taking input while the workers lag, and hands them every byte in order', async () => {
      const workers = new StubWorkers();
      const data = randomBytes(12 * MiB);
      const meter = createStreamMeter({ workers });
      const done = pipeline(Readable.from(chunksOf(data, 65536)), meter, sink());
      await until(() => workers.posted.length >= 4);
      await tick();
      // Four batches queued at the workers and the fifth filling: no further reading.
      expect(workers.posted).toHaveLength(4);
      expect(meter.bytes).toBeLessThanOrEqual(5 * MiB);
      await tick();
      expect(workers.posted).toHaveLength(4);
      while (!workers.ended) {
        workers.ackAll();
        await tick();
      }
      workers.listener!.onDigest('md5', 'm');
      workers.listener!.onDigest('sha256', 's');
      await done;
      expect(meter.result).toEqual({ bytes: data.length, md5: 'm', sha256: 's' });
      expect(Buffer.concat(workers.posted).equals(data)).toBe(true);
    });

    it('fails the stream when a worker dies', async () => {
      const workers = new StubWorkers();
      const done = pipeline(
        Readable.from(chunksOf(randomBytes(3 * MiB), 65536)),
        createStreamMeter({ workers }),
        sink(),
      );
      await until(() => workers.listener !== undefined);
      workers.listener!.onFailure(new Error('hash worker exited (1)'));
      await expect(done).rejects.toThrow('hash worker exited (1)');
    });

    it('abandons the job when the stream is destroyed', async () => {
      const workers = new StubWorkers();
      const source = new PassThrough();
      const done = pipeline(source, createStreamMeter({ workers }), sink());
      source.write(randomBytes(2 * MiB));
      await until(() => workers.listener !== undefined);
      source.destroy(new Error('client went away'));
      await expect(done).rejects.toThrow('client went away');
      expect(workers.aborted).toBe(true);
    });
  });
});
