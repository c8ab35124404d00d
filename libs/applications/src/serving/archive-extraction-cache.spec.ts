import { ArchiveWorkLimiter } from '@depot/archive';
import { buildRawZip } from '@depot/archive/testing/build-raw-zip';
import { zipOf } from '@depot/archive/testing/zip-of';
import { Logger } from '@nestjs/common';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ArchiveExtractionCache } from './archive-extraction-cache';

describe('ArchiveExtractionCache', () => {
  let parent: string;
  let cache: ArchiveExtractionCache;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'depot-extract-'));
    cache = new ArchiveExtractionCache(parent, 2);
  });
  afterEach(async () => {
    await cache.clear();
    rmSync(parent, { recursive: true, force: true });
  });

  it('extracts files and directories once, sharing the work between concurrent callers', async () => {
    const load = jest.fn(() => Promise.resolve(zipOf({ 'index.html': 'hi', 'a/b/c.js': 'js', 'd/': '' })));
    const [first, second] = await Promise.all([cache.directoryFor('1', load), cache.directoryFor('1', load)]);
    expect(first).toBe(second);
    expect(await cache.directoryFor('1', load)).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
    expect(readFileSync(path.join(first, 'index.html'), 'utf8')).toBe('hi');
    expect(readFileSync(path.join(first, 'a/b/c.js'), 'utf8')).toBe('js');
    expect(existsSync(path.join(first, 'd'))).toBe(true);
  });

  it('drops the least recently used archive beyond its capacity, from disk too', async () => {
    const load = (content: string) => () => Promise.resolve(zipOf({ 'index.html': content }));
    const one = await cache.directoryFor('1', load('one'));
    const two = await cache.directoryFor('2', load('two'));
    await cache.directoryFor('1', load('one')); // 1 is now the most recent
    await cache.directoryFor('3', load('three'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(one)).toBe(true);
    expect(existsSync(two)).toBe(false);
    const reloaded = jest.fn(load('two'));
    expect(readFileSync(path.join(await cache.directoryFor('2', reloaded), 'index.html'), 'utf8')).toBe(
      'two',
    );
    expect(reloaded).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failed extraction and leaves nothing behind', async () => {
    await expect(cache.directoryFor('9', () => Promise.resolve(Buffer.from('not a zip')))).rejects.toThrow();
    const directory = await cache.directoryFor('9', () => Promise.resolve(zipOf({ 'index.html': 'ok' })));
    expect(readFileSync(path.join(directory, 'index.html'), 'utf8')).toBe('ok');
  });

  it('refuses entry names that escape its directory, even if an archive slipped past validation', async () => {
    const zip = buildRawZip([{ name: '../escaped.txt', data: 'x' }]);
    await expect(cache.directoryFor('7', () => Promise.resolve(zip))).rejects.toThrow();
    expect(existsSync(path.join(parent, 'escaped.txt'))).toBe(false);
  });

  it('removes the caches of exited processes, not those of live ones', async () => {
    const dead = path.join(parent, '999999999-deadbeef');
    const alive = path.join(parent, `${process.ppid}-cafebabe`);
    mkdirSync(path.join(dead, '1-x'), { recursive: true });
    mkdirSync(alive, { recursive: true });
    await cache.directoryFor('1', () => Promise.resolve(zipOf({ 'index.html': 'x' })));
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
  });

  it('writes names in NFC, the form requests are looked up by', async () => {
    const directory = await cache.directoryFor('5', () =>
      Promise.resolve(zipOf({ 'index.html': 'x', 'cafe\u0301/the\u0301.txt': 'nfd' })),
    );
    expect(readdirSync(directory).sort()).toEqual(['caf\u00e9', 'index.html']);
    expect(readFileSync(path.join(directory, 'caf\u00e9/th\u00e9.txt'), 'utf8')).toBe('nfd');
  });

  it('loads and extracts only in a slot of the archive work limiter', async () => {
    const work = new ArchiveWorkLimiter(1);
    const limited = new ArchiveExtractionCache(parent, 2, work);
    let release!: () => void;
    const busy = work.run(() => new Promise<void>((resolve) => (release = resolve)));
    const load = jest.fn(() => Promise.resolve(zipOf({ 'index.html': 'x' })));
    const extraction = limited.directoryFor('6', load);
    // Wait for the extraction to reach the limiter (it may do file work first), never for a fixed time.
    const deadline = Date.now() + 5000;
    while (work.queued === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(work.queued).toBe(1);
    expect(load).not.toHaveBeenCalled();
    release();
    await busy;
    expect(readFileSync(path.join(await extraction, 'index.html'), 'utf8')).toBe('x');
    await limited.clear();
  });
});
