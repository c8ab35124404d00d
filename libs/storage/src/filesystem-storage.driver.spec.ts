import { randomUUID } from 'node:crypto';
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

describe('FilesystemStorageDriver', () => {
  let root: string;
  let driver: FilesystemStorageDriver;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'depot-fs-driver-'));
    driver = new FilesystemStorageDriver(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('fans keys out into two levels of hashed directories', async () => {
    const name = randomUUID();
    await driver.write(`t1/${name}`, Readable.from([Buffer.from('x')]));
    const [file] = await filesUnder(root);
    expect(file).toMatch(new RegExp(`^t1/[0-9a-f]{2}/[0-9a-f]{2}/${name}$`));
    expect((await collect(driver.list('t1/'))).map((item) => item.key)).toEqual([`t1/${name}`]);
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
