import { CumulocityError } from '@depot/common';
import type { ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program. Plain JavaScript evaluated by the worker (no file to resolve, so it
 * runs the same from `dist`, under swc-node and under jest). `scryptSync` blocks only this thread.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ password, salt, keyLength, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, salt, keyLength, options) });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

export interface ScryptJob {
  password: string;
  salt: Buffer;
  keyLength: number;
  options: ScryptOptions;
}

interface Task {
  job: ScryptJob;
  resolve(key: Buffer): void;
  reject(error: Error): void;
}

type WorkerReply = { key: Uint8Array } | { error: string };

/** scrypt itself refused the job (e.g. parameters from a damaged stored hash). */
export class ScryptError extends Error {
  override name = 'ScryptError';
}

/** Answered when `queueLimit` derivations already wait: a quick refusal beats an unbounded wait. */
export class HashQueueFullError extends CumulocityError {
  constructor() {
    super(503, 'security/Service Unavailable', 'Too many logins are being verified; try again shortly', {
      'Retry-After': '1',
    });
    this.name = 'HashQueueFullError';
  }
}

/**
 * scrypt on a few dedicated worker threads with a bounded queue. `crypto.scrypt` would run on
 * libuv's four threads, which file reads and writes share: a burst of logins would stall downloads
 * and the storage health check. Workers start on first use and do not keep the process alive.
 */
export class ScryptPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private closed = false;
  private derivationCount = 0;

  constructor(
    private readonly threads: number,
    private readonly queueLimit: number,
  ) {}

  /** Derivations handed to a worker so far (an observable cost: tests and metrics count hashes). */
  get derivations(): number {
    return this.derivationCount;
  }

  /** Every thread busy and the queue full: a derivation now would be refused. */
  get saturated(): boolean {
    return this.busy.size >= this.threads && this.queue.length >= this.queueLimit;
  }

  derive(job: ScryptJob): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('The password hasher is closed'));
    if (this.saturated) return Promise.reject(new HashQueueFullError());
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Rejects what waits and stops the workers (application shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('The password hasher is closed'));
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.threads ? this.spawn() : undefined);
      if (!worker) return;
      const task = this.queue.shift() as Task;
      this.busy.set(worker, task);
      this.derivationCount++;
      worker.postMessage(task.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      if ('key' in reply)
        task?.resolve(Buffer.from(reply.key.buffer, reply.key.byteOffset, reply.key.length));
      else task?.reject(new ScryptError(reply.error));
      this.dispatch();
    });
    // A dead worker fails its task only; the next dispatch starts a replacement.
    const lost = (error: Error): void => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index !== -1) this.idle.splice(index, 1);
      task?.reject(error);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`A password hashing worker exited with code ${code}`)));
    return worker;
  }
}
