import type {
  ApplicationChange,
  ApplicationChangeFeed,
  ApplicationChangeListener,
} from '../application-change-feed';
import { HostedAppResolutionCache, type HostedArchive } from './hosted-app-resolution-cache';

/** A feed driven by the test: whether it is live, and the changes it reports. */
class TestFeed {
  live = true;
  private listener?: ApplicationChangeListener;
  subscribe(listener: ApplicationChangeListener): () => void {
    this.listener = listener;
    return () => undefined;
  }
  report(change: ApplicationChange | 'all'): void {
    this.listener?.(change);
  }
}

describe('HostedAppResolutionCache', () => {
  let feed: TestFeed;
  let now: number;
  let cache: HostedAppResolutionCache;
  const archive = (archiveId: string, applicationId = '1'): HostedArchive => ({
    applicationId,
    tenantId: 't1',
    contextPath: 'app',
    archiveId,
    created: new Date(0),
    pinned: false,
  });

  beforeEach(() => {
    feed = new TestFeed();
    now = 1000;
    cache = new HostedAppResolutionCache(feed as unknown as ApplicationChangeFeed, 10_000, () => now);
  });

  it('loads once and answers from memory until the application changes', async () => {
    const load = jest.fn().mockResolvedValueOnce(archive('a1')).mockResolvedValueOnce(archive('a2'));
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a1');
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a1');
    expect(load).toHaveBeenCalledTimes(1);
    feed.report({ id: '1', contextPaths: [] });
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a2');
  });

  it('forgets entries by context path (another application took it), by "all", and after the TTL', async () => {
    const load = jest.fn(() => Promise.resolve(archive('a', '1')));
    await cache.resolve('k', 'app', load);
    feed.report({ id: '2', contextPaths: ['other'] });
    await cache.resolve('k', 'app', load);
    expect(load).toHaveBeenCalledTimes(1);
    feed.report({ id: '2', contextPaths: ['other', 'app'] });
    await cache.resolve('k', 'app', load);
    expect(load).toHaveBeenCalledTimes(2);
    feed.report('all');
    await cache.resolve('k', 'app', load);
    expect(load).toHaveBeenCalledTimes(3);
    now += 10_001;
    await cache.resolve('k', 'app', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('drops a resolution still loading when any change arrives (it may have read the old row)', async () => {
    let finish!: (value: HostedArchive) => void;
    const slow = jest.fn(() => new Promise<HostedArchive>((resolve) => (finish = resolve)));
    const pending = cache.resolve('k', 'app', slow);
    feed.report({ id: '99', contextPaths: [] });
    finish(archive('old'));
    await pending;
    const fresh = jest.fn(() => Promise.resolve(archive('new')));
    expect((await cache.resolve('k', 'app', fresh)).archiveId).toBe('new');
  });

  it('keeps nothing while the feed is not live, and no failure', async () => {
    feed.live = false;
    const load = jest.fn(() => Promise.resolve(archive('a')));
    await cache.resolve('k', 'app', load);
    await cache.resolve('k', 'app', load);
    expect(load).toHaveBeenCalledTimes(2);
    feed.live = true;
    const failing = jest.fn().mockRejectedValueOnce(new Error('404')).mockResolvedValueOnce(archive('b'));
    await expect(cache.resolve('f', 'app', failing)).rejects.toThrow('404');
    expect((await cache.resolve('f', 'app', failing)).archiveId).toBe('b');
  });

  it('loads again in the background near the end of an entry’s life, answering from memory meanwhile', async () => {
    let finish!: (value: HostedArchive) => void;
    const load = jest
      .fn<Promise<HostedArchive>, []>()
      .mockResolvedValueOnce(archive('a1'))
      .mockImplementationOnce(() => new Promise<HostedArchive>((resolve) => (finish = resolve)));
    await cache.resolve('k', 'app', load);
    now += 8_000;
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a1');
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a1');
    expect(load).toHaveBeenCalledTimes(2);
    finish(archive('a2'));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a2');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops an entry whose background load fails (the application is gone)', async () => {
    const load = jest
      .fn<Promise<HostedArchive>, []>()
      .mockResolvedValueOnce(archive('a1'))
      .mockRejectedValueOnce(new Error('404'))
      .mockResolvedValueOnce(archive('a3'));
    await cache.resolve('k', 'app', load);
    now += 9_000;
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a1');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.resolve('k', 'app', load)).archiveId).toBe('a3');
  });
});
