import { mkdir as mkdirCalls, open, rename as renameCalls } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { FilesystemStorageDriver } from './filesystem-storage.driver';

// Counts the driver's mkdir calls: each file-system call of a write is a trip through libuv's
// threadpool, and a small upload pays every one of them.
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return { ...actual, mkdir: jest.fn(actual.mkdir), rename: jest.fn(actual.rename) };
});

describe('FilesystemStorageDriver file-system calls', () => {
  let root: string;
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('creates no directory that exists already', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'depot-fs-calls-'));
    const driver = new FilesystemStorageDriver(root);
    await driver.write('t1/same', Readable.from([Buffer.from('1')]));
    expect(jest.mocked(mkdirCalls)).toHaveBeenCalled();
    jest.mocked(mkdirCalls).mockClear();
    await driver.write('t1/same', Readable.from([Buffer.from('22')]));
    expect(jest.mocked(mkdirCalls)).not.toHaveBeenCalled();
    expect(await driver.stat('t1/same')).toMatchObject({ length: 2 });
  });

  it('writes the chunks that are there in one call, and fsyncs the file before the rename', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'depot-fs-calls-'));
    const probe = await open(__filename, 'r');
    const handles = Object.getPrototypeOf(probe) as { writev: unknown; sync: unknown };
    await probe.close();
    jest.mocked(renameCalls).mockClear();
    const writev = jest.spyOn(handles, 'writev' as never);
    const sync = jest.spyOn(handles, 'sync' as never);
    try {
      const source = new Readable({ read: () => undefined });
      for (const part of ['one ', 'two ', 'three']) source.push(Buffer.from(part));
      source.push(null);
      await new FilesystemStorageDriver(root).write('t1/chunks', source);
      expect(writev).toHaveBeenCalledTimes(1);
      expect(Buffer.concat((writev.mock.calls[0] as Buffer[][])[0]).toString()).toBe('one two three');
      expect(sync).toHaveBeenCalled(); // the file, then its directory and the new parents
      expect(sync.mock.invocationCallOrder[0]).toBeLessThan(
        Math.min(...jest.mocked(renameCalls).mock.invocationCallOrder),
      );
    } finally {
      writev.mockRestore();
      sync.mockRestore();
    }
  });
});
