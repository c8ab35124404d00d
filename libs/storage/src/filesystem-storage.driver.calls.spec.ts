import { mkdir as mkdirCalls } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { FilesystemStorageDriver } from './filesystem-storage.driver';

// Counts the driver's mkdir calls: each file-system call of a write is a trip through libuv's
// threadpool, and a small upload pays every one of them.
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return { ...actual, mkdir: jest.fn(actual.mkdir) };
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
});
