import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { HashWorkerPool, type HashJobListener, type MeterAlgorithm } from './hash-worker-pool';

/** Runs one job over `data` (in one batch) and collects what the workers answer. */
function job(pool: HashWorkerPool, data: Buffer) {
  const digests: Partial<Record<MeterAlgorithm, string>> = {};
  const acks: MeterAlgorithm[] = [];
  let id = 0;
  const finished = new Promise<Partial<Record<MeterAlgorithm, string>>>((resolve, reject) => {
    const listener: HashJobListener = {
      onAck: (algorithm) => acks.push(algorithm),
      onDigest: (algorithm, digest) => {
        digests[algorithm] = digest;
        if (digests.md5 && digests.sha256) {
          pool.close(id);
          resolve(digests);
        }
      },
      onFailure: reject,
    };
    id = pool.open(listener);
  });
  const buffer = new SharedArrayBuffer(data.length);
  new Uint8Array(buffer).set(data);
  return { id, buffer, acks, finished };
}

describe('HashWorkerPool', () => {
  it('hashes posted batches in two workers', async () => {
    const pool = new HashWorkerPool();
    const data = randomBytes(100_000);
    const { id, buffer, acks, finished } = job(pool, data);
    pool.post(id, buffer, 60_000);
    pool.post(id, buffer.slice(60_000), 40_000);
    pool.end(id);
    await expect(finished).resolves.toEqual({
      md5: createHash('md5').update(data).digest('hex'),
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    expect(acks.sort()).toEqual(['md5', 'md5', 'sha256', 'sha256']);
  });

  it('fails open jobs when a worker dies and starts fresh workers for the next job', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const pool = new HashWorkerPool();
    const first = job(pool, Buffer.from('x'));
    const workers = (pool as unknown as { workers: Map<MeterAlgorithm, Worker> }).workers;
    await workers.get('md5')!.terminate();
    await expect(first.finished).rejects.toThrow('md5 hash worker exited');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('md5 hash worker exited'));
    logged.mockRestore();
    const data = Buffer.from('after the crash');
    const next = job(pool, data);
    pool.post(next.id, next.buffer, data.length);
    pool.end(next.id);
    await expect(next.finished).resolves.toMatchObject({ md5: createHash('md5').update(data).digest('hex') });
  });
});
