import { FileReadStream, resolveInside } from '@depot/common';
import { Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { assertStorageKey } from './assert-storage-key';
import { resolveByteRange } from './resolve-byte-range';
import type { ByteRange, StorageDriver, StoredObjectInfo } from './storage-driver';
import { InvalidStorageKeyError, StorageFullError, StorageNotFoundError } from './storage.errors';

/** Directory under the root for writes in progress: same filesystem, so `rename` is atomic. */
const TEMP_DIR = '.tmp';

/**
 * After a write ran out of space, the store counts as full (`ping` fails) until a write succeeds or
 * free space is back above this share of the filesystem, at most `FULL_FREE_BYTES`: one huge upload
 * that did not fit leaves a store that takes ordinary ones.
 */
const FULL_FREE_SHARE = 0.05;
const FULL_FREE_BYTES = 64 * 1024 * 1024;

function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A large write starts flushing what it has written every this many bytes, in the background, so the
 * fsync at its end has only the tail left: 512 MiB written then fsynced took 2.0–2.2 s here, with a
 * flush every 16–64 MiB alongside 1.2–1.4 s, the writes themselves no slower.
 */
const EARLY_FLUSH_BYTES = 32 * 1024 * 1024;

/**
 * Writes `source` into `handle` (the chunks that arrived while a write was under way go together in
 * one `writev`), fsyncs and closes it; the source is destroyed if a write fails, the handle closed in
 * any case. No write stream and no pipeline: a small upload pays their objects (and the errors they
 * make to tell each other they are done) on every request.
 */
async function writeAndSync(handle: FileHandle, source: Readable): Promise<number> {
  let length = 0;
  let unflushed = 0;
  // At most one early flush at a time; its failure fails the write (at the latest before the fsync).
  let flushing: Promise<void> | undefined;
  let flushFailure: Error | undefined;
  try {
    for await (const first of source) {
      const chunks: Buffer[] = [first as Buffer];
      for (let more: Buffer | null; (more = source.read() as Buffer | null) !== null;) chunks.push(more);
      const written = await writeAll(handle, chunks);
      length += written;
      unflushed += written;
      if (flushFailure !== undefined) throw flushFailure;
      if (unflushed >= EARLY_FLUSH_BYTES && !flushing) {
        unflushed = 0;
        flushing = handle.datasync().then(
          () => (flushing = undefined),
          (error: unknown) => {
            flushFailure = error instanceof Error ? error : new Error(String(error));
            flushing = undefined;
          },
        );
      }
    }
    await flushing;
    if (flushFailure !== undefined) throw flushFailure;
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  await handle.close();
  return length;
}

/** `writev` until every byte of `chunks` is written (a regular file may take fewer at a time). */
async function writeAll(handle: FileHandle, chunks: Buffer[]): Promise<number> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  let { bytesWritten } = await handle.writev(chunks);
  if (bytesWritten < total) {
    const rest = Buffer.concat(chunks).subarray(bytesWritten);
    for (let offset = 0; offset < rest.length; offset += bytesWritten)
      ({ bytesWritten } = await handle.write(rest, offset));
  }
  return total;
}

/**
 * The directory a key's file lives in: one of 256, from the first byte of a hash of the key's last
 * segment, written as two letters `g`–`v` (one per nibble). A young store fills all 256 after a
 * thousand or so writes; the two-level layout before (65,536 directories, `00`–`ff`) made most writes
 * of its first few hundred thousand create a directory and fsync two. The letters keep the two layouts
 * apart: no directory of the old one is named like this.
 */
function fanOf(digest: Buffer): string {
  return String.fromCharCode(FAN_LETTER_A + (digest[0] >> 4), FAN_LETTER_A + (digest[0] & 15));
}
const FAN_LETTER_A = 'g'.charCodeAt(0);
const FAN = /^[g-v]{2}$/;

/** The two directories of the earlier layout, `ab/cd` (kept readable: stores written before hold them). */
function legacyFanOf(digest: Buffer): string[] {
  return [digest.toString('hex', 0, 1), digest.toString('hex', 1, 2)];
}

/** The hash both layouts take a key's directories from: SHA-1 of its last segment. */
function nameDigest(name: string): Buffer {
  return createHash('sha1').update(name).digest();
}

/** Where a key's file is (`file`), and where the earlier layout kept it (`legacy`; none for temp files). */
interface KeyPlaces {
  file: string;
  legacy?: string;
}

/**
 * Blobs as files under `root`. A key `t1/<name>` lives at `root/t1/<fan>/<name>` (see `fanOf`); a blob
 * written by an earlier Depot may live at `root/t1/ab/cd/<name>` instead, and is read, listed and
 * deleted there. Writes go to `root/.tmp`, are fsynced, renamed into place and the directory fsynced: a
 * reader sees the old file or the whole new one, and a crash leaves at most a temp file, which `list`
 * reports for the sweeper.
 */
export class FilesystemStorageDriver implements StorageDriver {
  readonly name = 'filesystem';
  private readonly logger = new Logger(FilesystemStorageDriver.name);
  private readonly root: string;
  private readonly tempDir: string;
  /** Set when a write ran out of space; see `FULL_FREE_SHARE`. */
  private fullSince: Date | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempDir = path.join(this.root, TEMP_DIR);
  }

  async write(key: string, source: Readable): Promise<{ length: number }> {
    const target = this.placesOf(key).file;
    const temp = path.join(this.tempDir, `${randomUUID()}.tmp`);
    let written: string = temp;
    try {
      // Directories are created only when missing (each file-system call is a trip through libuv's
      // threadpool, which a small upload pays about ten of): the store recovers if one was removed.
      const handle = await fs.open(temp, 'wx', 0o640).catch(async (error: unknown) => {
        if (!isMissing(error)) throw error;
        await fs.mkdir(this.tempDir, { recursive: true });
        return fs.open(temp, 'wx', 0o640);
      });
      // fsynced before the rename makes the file visible.
      const length = await writeAndSync(handle, source);
      const directory = path.dirname(target);
      let firstCreated: string | undefined;
      await fs.rename(temp, target).catch(async (error: unknown) => {
        if (!isMissing(error)) throw error;
        firstCreated = await fs.mkdir(directory, { recursive: true });
        await fs.rename(temp, target);
      });
      written = target;
      await this.syncNewPath(directory, firstCreated);
      this.fullSince = undefined;
      return { length };
    } catch (error) {
      // A write that rejects leaves nothing, even when only the directory fsync failed.
      await fs.rm(written, { force: true }).catch((cleanup: Error) => {
        this.logger.warn(`Could not remove ${written} of a failed write: ${cleanup.message}`);
      });
      if (!isNoSpace(error)) throw error;
      this.fullSince ??= new Date();
      this.logger.warn(`No space left for ${key} under ${this.root}`);
      throw new StorageFullError(`No space left in the store for ${JSON.stringify(key)}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Open first: a missing key fails here, and the open file survives a concurrent replace or delete.
    const handle = await this.opened(key, (file) => fs.open(file, 'r'));
    try {
      const { size } = await handle.stat();
      const { start, end } = range ? resolveByteRange(key, range, size) : { start: 0, end: Infinity };
      return new FileReadStream(handle, start, end);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async stat(key: string): Promise<StoredObjectInfo> {
    const stats = await this.opened(key, (file) => fs.stat(file));
    return { key, length: stats.size, modified: stats.mtime };
  }

  async delete(key: string): Promise<void> {
    const { file, legacy } = this.placesOf(key, { allowTemporary: true });
    await Promise.all([file, ...(legacy ? [legacy] : [])].map((place) => fs.rm(place, { force: true })));
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    const directory = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (directory !== '') assertStorageKey(directory);
    if (`${TEMP_DIR}/`.startsWith(prefix) || prefix.startsWith(`${TEMP_DIR}/`)) {
      for await (const file of this.walk(this.tempDir, [TEMP_DIR])) {
        if (file.key.startsWith(prefix)) yield { ...file, temporary: true };
      }
    }
    if (directory.split('/')[0] === TEMP_DIR) return;
    const start = directory === '' ? this.root : resolveInside(this.root, directory);
    for await (const file of this.walk(start, directory === '' ? [] : directory.split('/'))) {
      const found = this.keyOf(file.key);
      if (!found?.key.startsWith(prefix)) continue;
      // A key written again since the layout changed has its current file; the old one is not listed
      // twice (`delete` removes both).
      if (found.legacy && (await this.exists(this.placesOf(found.key).file))) continue;
      yield { ...file, key: found.key };
    }
  }

  async ping(): Promise<void> {
    await fs.mkdir(this.tempDir, { recursive: true });
    await fs.access(this.tempDir, fs.constants.R_OK | fs.constants.W_OK);
    if (!this.fullSince) return;
    const { bavail, blocks, bsize } = await fs.statfs(this.root);
    const free = bavail * bsize;
    if (free >= Math.min(FULL_FREE_BYTES, blocks * bsize * FULL_FREE_SHARE)) {
      this.fullSince = undefined;
      return;
    }
    throw new StorageFullError(
      `No space left: a write failed at ${this.fullSince.toISOString()}, ${free} bytes free`,
    );
  }

  /**
   * `t1/x` -> `root/t1/<fan>/x`, and `root/t1/ab/cd/x` where the earlier layout kept it; `.tmp/<file>`
   * only where a listed temp file may be named.
   */
  private placesOf(key: string, options: { allowTemporary?: boolean } = {}): KeyPlaces {
    const segments = assertStorageKey(key);
    if (segments[0] === TEMP_DIR) {
      if (options.allowTemporary && segments.length === 2) return { file: resolveInside(this.root, key) };
      throw new InvalidStorageKeyError(key, 'reserved');
    }
    const name = segments.pop()!;
    const digest = nameDigest(name);
    return {
      file: resolveInside(this.root, [...segments, fanOf(digest), name].join('/')),
      legacy: resolveInside(this.root, [...segments, ...legacyFanOf(digest), name].join('/')),
    };
  }

  /** Runs `open` on the key's file, or where the earlier layout kept it; not found in either: 404. */
  private async opened<T>(key: string, open: (file: string) => Promise<T>): Promise<T> {
    const { file, legacy } = this.placesOf(key);
    const notFound = (error: unknown): never => {
      throw isMissing(error) ? new StorageNotFoundError(key) : error;
    };
    return open(file).catch((error: unknown) => {
      if (!isMissing(error) || !legacy) return notFound(error);
      return open(legacy).catch(notFound);
    });
  }

  private async exists(file: string): Promise<boolean> {
    return fs.access(file).then(
      () => true,
      (error: unknown) => {
        if (isMissing(error)) return false;
        throw error;
      },
    );
  }

  /**
   * Inverse of `placesOf` (`legacy`: of the earlier layout) for a root-relative file path; undefined
   * for files that no key maps to (the directories must be the name's own).
   */
  private keyOf(relative: string): { key: string; legacy: boolean } | undefined {
    const segments = relative.split('/');
    if (segments[0] === TEMP_DIR) return undefined;
    const name = segments[segments.length - 1];
    const parent = segments[segments.length - 2];
    const digest = nameDigest(name);
    if (segments.length >= 2 && FAN.test(parent) && parent === fanOf(digest))
      return { key: [...segments.slice(0, -2), name].join('/'), legacy: false };
    if (segments.length < 3) return undefined;
    const [first, second] = legacyFanOf(digest);
    if (segments[segments.length - 3] !== first || parent !== second) return undefined;
    return { key: [...segments.slice(0, -3), name].join('/'), legacy: true };
  }

  /** Files below `directory` (depth first, streaming), keyed by their root-relative path. */
  private async *walk(directory: string, segments: string[]): AsyncGenerator<StoredObjectInfo> {
    let entries: AsyncIterable<import('node:fs').Dirent>;
    try {
      entries = await fs.opendir(directory);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for await (const entry of entries) {
      const relative = [...segments, entry.name];
      if (entry.isDirectory()) {
        if (segments.length === 0 && entry.name === TEMP_DIR) continue;
        yield* this.walk(path.join(directory, entry.name), relative);
      } else if (entry.isFile()) {
        const stats = await fs.stat(path.join(directory, entry.name)).catch((error: unknown) => {
          if (isMissing(error)) return undefined;
          throw error;
        });
        if (stats) yield { key: relative.join('/'), length: stats.size, modified: stats.mtime };
      }
    }
  }

  /** fsyncs the renamed file's directory, and the parents of directories `mkdir` just created. */
  private async syncNewPath(directory: string, firstCreated: string | undefined): Promise<void> {
    await syncDirectory(directory);
    if (firstCreated === undefined) return;
    for (let current = directory; current !== path.dirname(firstCreated);) {
      current = path.dirname(current);
      await syncDirectory(current);
    }
  }
}
