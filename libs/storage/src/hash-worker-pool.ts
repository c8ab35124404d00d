import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';

/** The algorithms the meter computes; each runs in its own worker so both use a core of their own. */
export const METER_ALGORITHMS = ['md5', 'sha256'] as const;
export type MeterAlgorithm = (typeof METER_ALGORITHMS)[number];

type WorkerReply = { op: 'ack'; id: number } | { op: 'digest'; id: number; digest: string };

// Plain CommonJS evaluated in the worker, so it runs the same under ts-node, swc, jest and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'data') {
    let hash = hashes.get(m.id);
    if (!hash) hashes.set(m.id, (hash = createHash(workerData.algorithm)));
    hash.update(new Uint8Array(m.buffer, 0, m.length));
    parentPort.postMessage({ op: 'ack', id: m.id });
  } else if (m.op === 'end') {
    const hash = hashes.get(m.id) ?? createHash(workerData.algorithm);
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, digest: hash.digest('hex') });
  } else if (m.op === 'abort') {
    hashes.delete(m.id);
  }
});
`;

/** Callbacks of one hashing job (one metered stream). */
export interface HashJobListener {
  /** `algorithm`'s worker has hashed one more posted batch. */
  onAck(algorithm: MeterAlgorithm): void;
  onDigest(algorithm: MeterAlgorithm, digest: string): void;
  /** A worker died; the job cannot complete. */
  onFailure(error: Error): void;
}

/**
 * Long-lived workers, one per algorithm, shared by every meter of the process. Batches travel as
 * `SharedArrayBuffer`s, so one copy on the main thread feeds both workers. Message order per worker
 * is FIFO, which keeps each job's bytes in order. Workers hold the process open only while a job
 * is active.
 */
export class HashWorkerPool {
  private readonly logger = new Logger(HashWorkerPool.name);
  private workers: Map<MeterAlgorithm, Worker> | undefined;
  private readonly jobs = new Map<number, HashJobListener>();
  private nextId = 1;

  /** Registers a job and returns its id. */
  open(listener: HashJobListener): number {
    const workers = this.ensureWorkers();
    const id = this.nextId++;
    if (this.jobs.size === 0) for (const worker of workers.values()) worker.ref();
    this.jobs.set(id, listener);
    return id;
  }

  /** Hands the first `length` bytes of `buffer` to every worker; the buffer must not change until acked. */
  post(id: number, buffer: SharedArrayBuffer, length: number): void {
    for (const worker of this.workers?.values() ?? []) worker.postMessage({ op: 'data', id, buffer, length });
  }

  /** Asks every worker for the job's digest; the job closes when both digests are delivered. */
  end(id: number): void {
    for (const worker of this.workers?.values() ?? []) worker.postMessage({ op: 'end', id });
  }

  /** Drops the job; replies still in flight are ignored. */
  abort(id: number): void {
    if (!this.jobs.has(id)) return;
    for (const worker of this.workers?.values() ?? []) worker.postMessage({ op: 'abort', id });
    this.close(id);
  }

  /** Releases a finished job. */
  close(id: number): void {
    if (!this.jobs.delete(id) || this.jobs.size > 0) return;
    for (const worker of this.workers?.values() ?? []) worker.unref();
  }

  private ensureWorkers(): Map<MeterAlgorithm, Worker> {
    if (this.workers) return this.workers;
    const workers = new Map<MeterAlgorithm, Worker>();
    for (const algorithm of METER_ALGORITHMS) {
      // No inherited `-r` hooks (ts loaders cost ~50 MiB per worker): the source is plain JS.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { algorithm } });
      worker.unref();
      worker.on('message', (reply: WorkerReply) => this.deliver(algorithm, reply));
      worker.on('error', (error) => this.fail(workers, error));
      worker.on('exit', (code) => this.fail(workers, new Error(`${algorithm} hash worker exited (${code})`)));
      workers.set(algorithm, worker);
    }
    this.workers = workers;
    return workers;
  }

  private deliver(algorithm: MeterAlgorithm, reply: WorkerReply): void {
    const job = this.jobs.get(reply.id);
    if (!job) return;
    if (reply.op === 'ack') job.onAck(algorithm);
    else job.onDigest(algorithm, reply.digest);
  }

  /** A dead worker fails every open job; the next job starts fresh workers. */
  private fail(workers: Map<MeterAlgorithm, Worker>, error: Error): void {
    if (this.workers !== workers) return;
    this.logger.error(`Hash worker failed: ${error.message}`);
    this.workers = undefined;
    for (const worker of workers.values()) void worker.terminate();
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) job.onFailure(error);
  }
}

/** The process-wide pool used by `createStreamMeter`. */
export const hashWorkerPool = new HashWorkerPool();
