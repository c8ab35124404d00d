import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HostedFileBytesCache } from './hosted-file-bytes-cache';

describe('HostedFileBytesCache', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const absolute = path.join(dir, name);
    writeFileSync(absolute, content);
    return absolute;
  };

  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'depot-bytes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a small file once and answers from memory afterwards', async () => {
    const cache = new HostedFileBytesCache(100, 50);
    const a = file('a', 'aaaa');
    expect((await cache.get(a, 4))?.toString()).toBe('aaaa');
    rmSync(a);
    // Extracted files never change: the kept copy is still right.
    expect((await cache.get(a, 4))?.toString()).toBe('aaaa');
  });

  it('streams files above the per-file limit, empty ones, and drops the least recently used beyond the budget', async () => {
    const cache = new HostedFileBytesCache(10, 6);
    expect(await cache.get(file('big', '1234567'), 7)).toBeUndefined();
    expect(await cache.get(file('empty', ''), 0)).toBeUndefined();
    const a = file('a', 'aaaaa');
    const b = file('b', 'bbbbb');
    const c = file('c', 'ccccc');
    await cache.get(a, 5);
    await cache.get(b, 5);
    await cache.get(a, 5); // a is now the most recent
    await cache.get(c, 5); // over 10 bytes: b goes
    rmSync(a);
    rmSync(b);
    expect((await cache.get(a, 5))?.toString()).toBe('aaaaa');
    expect(await cache.get(b, 5)).toBeUndefined();
  });

  it('keeps nothing for a file that cannot be read, so the sender reports it gone', async () => {
    const cache = new HostedFileBytesCache(100, 50);
    const missing = path.join(dir, 'missing');
    expect(await cache.get(missing, 3)).toBeUndefined();
    writeFileSync(missing, 'now');
    expect((await cache.get(missing, 3))?.toString()).toBe('now');
  });
});
