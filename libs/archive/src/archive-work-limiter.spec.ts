import { ArchiveWorkLimiter } from './archive-work-limiter';

describe('ArchiveWorkLimiter', () => {
  it('runs at most `slots` at once; the rest wait in order and all complete', async () => {
    const limiter = new ArchiveWorkLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const work = (index: number) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(index);
        running--;
        return index;
      });
    const results = await Promise.all(Array.from({ length: 7 }, (_, index) => work(index)));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.queued).toBe(0);
  });

  it('frees the slot of work that fails', async () => {
    const limiter = new ArchiveWorkLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
