import { mkdir as mkdirCalls, open, rename as renameCalls } from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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

  describe('a large write', () => {
    const MiB = 1024 * 1024;
    /** 40 MiB in 1 MiB chunks, with a note of how much had gone out when each flush started. */
    function forty(progress: { sent: number }): Readable {
      let left = 40;
      return new Readable({
        // One chunk a turn of the event loop, as a socket delivers them.
        read() {
          setImmediate(() => {
            if (left-- === 0) return this.push(null);
            progress.sent += MiB;
            this.push(Buffer.alloc(MiB, left));
          });
        },
      });
    }

    async function fileHandlePrototype(): Promise<{ datasync: unknown; sync: unknown }> {
      const probe = await open(__filename, 'r');
      const prototype = Object.getPrototypeOf(probe) as { datasync: unknown; sync: unknown };
      await probe.close();
      return prototype;
    }

    it('flushes what it has written while it goes on, and fsyncs at the end', async () => {
      root = await mkdtemp(path.join(tmpdir(), 'depot-fs-calls-'));
      const handles = await fileHandlePrototype();
      const progress = { sent: 0 };
      const flushedAt: number[] = [];
      const original = (handles as { datasync: () => Promise<void> }).datasync;
      const spy = jest.spyOn(handles, 'datasync' as never).mockImplementation(function (this: unknown) {
        flushedAt.push(progress.sent);
        return original.call(this) as never;
      });
      const sync = jest.spyOn(handles, 'sync' as never);
      try {
        await expect(new FilesystemStorageDriver(root).write('t1/large', forty(progress))).resolves.toEqual({
          length: 40 * MiB,
        });
        expect(flushedAt).toHaveLength(1);
        expect(flushedAt[0]).toBeLessThan(40 * MiB); // started before the source had ended
        expect(sync).toHaveBeenCalled();
        expect(sync.mock.invocationCallOrder[0]).toBeGreaterThan(spy.mock.invocationCallOrder[0]);
      } finally {
        spy.mockRestore();
        sync.mockRestore();
      }
    });

    it('fails, and leaves nothing, when an early flush fails', async () => {
      root = await mkdtemp(path.join(tmpdir(), 'depot-fs-calls-'));
      const handles = await fileHandlePrototype();
      const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      const spy = jest.spyOn(handles, 'datasync' as never).mockRejectedValue(failure as never);
      try {
        const driver = new FilesystemStorageDriver(root);
        await expect(driver.write('t1/large', forty({ sent: 0 }))).rejects.toThrow('EIO');
        const left = await readdir(root, { recursive: true, withFileTypes: true });
        expect(left.filter((entry) => entry.isFile())).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
