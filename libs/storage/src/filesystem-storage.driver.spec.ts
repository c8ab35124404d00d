import { createHash, randomUUID } from 'node:crypto';
import * as fsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { FilesystemStorageDriver } from './filesystem-storage.driver';
import type { StoredObjectInfo } from './storage-driver';
import { InvalidStorageKeyError, StorageNotFoundError } from './storage.errors';

async function collect(listing: AsyncIterable<StoredObjectInfo>): Promise<StoredObjectInfo[]> {
  const items: StoredObjectInfo[] = [];
  for await (const item of listing) items.push(item);
  return items;
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('FilesystemStorageDriver', () => {
  let root: string;
  let driver: FilesystemStorageDriver;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'depot-fs-driver-'));
    driver = new FilesystemStorageDriver(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('fans keys out into one level of 256 hashed directories', async () => {
    const names = Array.from({ length: 600 }, () => randomUUID());
    for (const name of names) await driver.write(`t1/${name}`, Readable.from([Buffer.from('x')]));
    const files = await filesUnder(root);
    for (const file of files) expect(file).toMatch(/^t1\/[g-v]{2}\/[0-9a-f-]{36}$/);
    const directories = new Set(files.map((file) => path.dirname(file)));
    // 600 writes into 256 directories: most land in one that exists (the two-level layout made 600).
    expect(directories.size).toBeGreaterThan(150);
    expect(directories.size).toBeLessThanOrEqual(256);
    expect((await collect(driver.list('t1/'))).map((item) => item.key).sort()).toEqual(
      names.map((name) => `t1/${name}`).sort(),
    );
  });

  describe('a blob of the earlier two-level layout (t1/ab/cd/<name>)', () => {
    const name = 'written-by-an-earlier-depot';
    // The directories that layout gave this name: the first two bytes of its SHA-1, in hex.
    const legacyFile = () => path.join(root, 't1', '18', 'e2', name);

    beforeEach(async () => {
      expect(createHash('sha1').update(name).digest('hex').slice(0, 4)).toBe('18e2');
      await mkdir(path.dirname(legacyFile()), { recursive: true });
      await writeFile(legacyFile(), 'old bytes');
    });

    it('is read, ranged, stat-ed and listed under its key', async () => {
      expect(await text(await driver.read(`t1/${name}`))).toBe('old bytes');
      expect(await text(await driver.read(`t1/${name}`, { start: 4, end: 8 }))).toBe('bytes');
      expect(await driver.stat(`t1/${name}`)).toMatchObject({ key: `t1/${name}`, length: 9 });
      expect((await collect(driver.list(''))).map((item) => item.key)).toEqual([`t1/${name}`]);
    });

    it('is deleted', async () => {
      await driver.delete(`t1/${name}`);
      expect(await filesUnder(root)).toEqual([]);
      await expect(driver.read(`t1/${name}`)).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it('is shadowed by a new write of its key: read and listed once, and both go with the delete', async () => {
      await driver.write(`t1/${name}`, Readable.from([Buffer.from('new bytes!')]));
      expect(await text(await driver.read(`t1/${name}`))).toBe('new bytes!');
      expect(await driver.stat(`t1/${name}`)).toMatchObject({ length: 10 });
      expect((await collect(driver.list('t1/'))).map((item) => item.key)).toEqual([`t1/${name}`]);
      await driver.delete(`t1/${name}`);
      expect(await filesUnder(root)).toEqual([]);
    });

    it('is not confused with a key whose directories are not its own', async () => {
      await mkdir(path.join(root, 't1', '00', '00'), { recursive: true });
      await writeFile(path.join(root, 't1', '00', '00', name), 'misplaced');
      await mkdir(path.join(root, 't1', 'gg'), { recursive: true });
      await writeFile(path.join(root, 't1', 'gg', name), 'misplaced');
      expect((await collect(driver.list(''))).map((item) => item.key)).toEqual([`t1/${name}`]);
    });
  });

  it('writes into root/.tmp and shows nothing under the key until the source ends', async () => {
    const source = new PassThrough();
    const writing = driver.write('t1/pending', source);
    source.write(Buffer.alloc(1000));
    const temp = () => readdir(path.join(root, '.tmp')).catch(() => []);
    for (const started = Date.now(); (await temp()).length === 0 && Date.now() - started < 5000;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await temp()).toHaveLength(1);
    expect((await filesUnder(root)).filter((file) => !file.startsWith('.tmp/'))).toEqual([]);
    source.end(Buffer.alloc(24));
    await expect(writing).resolves.toEqual({ length: 1024 });
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    expect((await driver.stat('t1/pending')).length).toBe(1024);
  });

  it('leaves no temp file when the source fails before the first byte', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const source = new Readable({
        read() {
          this.destroy(new Error('gone at once'));
        },
      });
      await expect(driver.write(`t1/early-${attempt}`, source)).rejects.toThrow('gone at once');
    }
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('removes the object again when fsyncing its directory fails', async () => {
    const failure = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    // FileHandle.sync is what fsyncs the directory (the file itself is flushed by its write stream).
    const probe = await fsPromises.open(root, 'r');
    const fileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const sync = jest.spyOn(fileHandle, 'sync').mockRejectedValueOnce(failure);
    await expect(driver.write('t1/unsynced', Readable.from([Buffer.from('x')]))).rejects.toThrow('EIO');
    sync.mockRestore();
    await expect(driver.stat('t1/unsynced')).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('keeps writing after its temp directory was removed', async () => {
    await driver.write('t1/first', Readable.from([Buffer.from('1')]));
    await rm(path.join(root, '.tmp'), { recursive: true });
    await expect(driver.write('t1/second', Readable.from([Buffer.from('2')]))).resolves.toEqual({
      length: 1,
    });
  });

  it('lists leftover temp files for the sweeper, only under the empty prefix, and deletes them', async () => {
    await mkdir(path.join(root, '.tmp'), { recursive: true });
    await writeFile(path.join(root, '.tmp', 'crashed.tmp'), 'partial');
    await driver.write('t1/kept', Readable.from([Buffer.from('x')]));
    const all = await collect(driver.list(''));
    expect(
      all
        .map(({ key, length, temporary }) => ({ key, length, temporary }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual([
      { key: '.tmp/crashed.tmp', length: 7, temporary: true },
      { key: 't1/kept', length: 1, temporary: undefined },
    ]);
    expect((await collect(driver.list('t1/'))).map((item) => item.key)).toEqual(['t1/kept']);
    await driver.delete('.tmp/crashed.tmp');
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('keeps the temp directory out of reach of ordinary keys', async () => {
    await expect(driver.write('.tmp/x', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      InvalidStorageKeyError,
    );
    await expect(driver.read('.tmp/x')).rejects.toBeInstanceOf(InvalidStorageKeyError);
    await expect(driver.delete('.tmp/a/b')).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('rejects an unsafe list prefix', async () => {
    await expect(collect(driver.list('../'))).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('ignores files no key maps to', async () => {
    await writeFile(path.join(root, 'stray'), 'x');
    expect(await collect(driver.list(''))).toEqual([]);
  });
});
