/** Archive work allowed at once per process by default: each may hold an archive in memory. */
export const DEFAULT_ARCHIVE_WORK_SLOTS = 2;

/**
 * A semaphore for the work that holds a whole archive in memory (a plugin or file change, the
 * extraction of an archive for serving), so concurrent requests cost a bounded amount of memory.
 * Excess work waits in order for a slot; it never fails for lack of one. One instance per process,
 * shared by every module that does such work (the applications module provides it).
 */
export class ArchiveWorkLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly slots: number = DEFAULT_ARCHIVE_WORK_SLOTS) {}

  /** Runs `work` once a slot is free and frees it when `work` settles. Do not nest calls. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Work waiting for a slot (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }
}
