import {
  FilesystemStorageDriver,
  InvalidStorageKeyError,
  MinioStorageDriver,
  StorageNotFoundError,
  StorageRangeError,
  type ByteRange,
  type MinioStorageOptions,
  type StorageDriver,
  type StoredObjectInfo,
} from '@depot/storage';
import { Client } from 'minio';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { startS3rver } from './start-s3rver';

/** A driver under test, and a look behind it for residue a failed write must not leave. */
interface Harness {
  driver: StorageDriver;
  /** Temp files or open uploads left in the store (for `prefix`, where the store can tell). */
  residue(prefix: string): Promise<string[]>;
  /** Another driver on a store that does not exist yet (fresh root or bucket). */
  freshDriver(): StorageDriver;
  /** Leaves what a process killed while writing `key` leaves; resolves to the name `list` should give it. */
  abandonWrite(key: string): Promise<string>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

async function filesystemHarness(): Promise<Harness> {
  const root = await mkdtemp(path.join(tmpdir(), 'depot-fs-contract-'));
  return {
    driver: new FilesystemStorageDriver(root),
    freshDriver: () => new FilesystemStorageDriver(path.join(root, 'fresh', randomUUID())),
    residue: () => readdir(path.join(root, '.tmp')).catch(() => []),
    async abandonWrite() {
      const name = `${randomUUID()}.tmp`;
      await mkdir(path.join(root, '.tmp'), { recursive: true });
      await writeFile(path.join(root, '.tmp', name), 'partial');
      return `.tmp/${name}`;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

/** s3rver started here, or the server named by MINIO_ENDPOINT etc. (e.g. MinIO from docker compose). */
async function minioHarness(): Promise<Harness> {
  const env = process.env;
  const s3rver = env.MINIO_ENDPOINT ? undefined : await startS3rver();
  const options: MinioStorageOptions = s3rver
    ? {
        endPoint: s3rver.endPoint,
        port: s3rver.port,
        useSSL: false,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        // A fresh bucket proves the driver creates it.
        bucket: `depot-contract-${Date.now()}`,
        region: 'us-east-1',
      }
    : {
        endPoint: env.MINIO_ENDPOINT!,
        port: Number(env.MINIO_PORT ?? 9000),
        useSSL: env.MINIO_USE_SSL === 'true',
        accessKey: env.MINIO_ACCESS_KEY ?? '',
        secretKey: env.MINIO_SECRET_KEY ?? '',
        bucket: env.MINIO_BUCKET ?? 'depot',
        region: env.MINIO_REGION ?? 'us-east-1',
      };
  const { bucket: _bucket, ...clientOptions } = options;
  const client = new Client(clientOptions);
  const freshBuckets: string[] = [];
  return {
    driver: new MinioStorageDriver(options),
    freshDriver() {
      const bucket = `depot-fresh-${randomUUID()}`;
      freshBuckets.push(bucket);
      return new MinioStorageDriver({ ...options, bucket });
    },
    async residue(prefix) {
      const { uploads } = await client.listIncompleteUploadsQuery(options.bucket, prefix, '', '', '');
      return uploads.map((upload) => upload.key);
    },
    async abandonWrite(key) {
      const uploadId = await client.initiateNewMultipartUpload(options.bucket, key, {});
      return `.uploads/${uploadId}/${key}`;
    },
    async close() {
      for (const bucket of freshBuckets) await client.removeBucket(bucket).catch(() => undefined);
      await s3rver?.stop();
    },
  };
}

/** `size` bytes of random data in 64 KiB chunks, made on the fly; `sha256()` once consumed. */
function generated(size: number): Readable & { sha256(): string } {
  const hash = createHash('sha256');
  let left = size;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(left, 65536));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return Object.assign(stream, { sha256: () => hash.digest('hex') });
}

/** Emits `before` bytes, then fails with `error` (or is destroyed without one). */
function failingHalfWay(before: number, error?: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= before) return void setImmediate(() => this.destroy(error));
      const chunk = Buffer.alloc(Math.min(65536, before - sent), 7);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { sha256: hash.digest('hex'), length };
}

async function collect(listing: AsyncIterable<StoredObjectInfo>): Promise<StoredObjectInfo[]> {
  const items: StoredObjectInfo[] = [];
  for await (const item of listing) items.push(item);
  return items;
}

describe.each([
  ['filesystem', filesystemHarness],
  ['minio', minioHarness],
])('StorageDriver contract: %s', (_name, createHarness) => {
  let harness: Harness;
  let driver: StorageDriver;
  /** Every test writes below its own prefix, so a shared external bucket stays usable. */
  let ns: string;

  beforeAll(async () => {
    harness = await createHarness();
    driver = harness.driver;
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    ns = `contract-${randomUUID()}`;
  });

  it('answers ping', async () => {
    await expect(driver.ping()).resolves.toBeUndefined();
  });

  it('lists an empty store that was never written to', async () => {
    expect(await collect(harness.freshDriver().list(''))).toEqual([]);
  });

  it.each([0, 1])('round-trips %d bytes', async (size) => {
    const data = randomBytes(size);
    await expect(driver.write(`${ns}/object`, Readable.from([data]))).resolves.toEqual({ length: size });
    expect(await readAll(await driver.read(`${ns}/object`))).toEqual(data);
    expect((await driver.stat(`${ns}/object`)).length).toBe(size);
  });

  it('round-trips a 64 MiB stream of unknown length', async () => {
    const source = generated(64 * MiB);
    await expect(driver.write(`${ns}/big`, source)).resolves.toEqual({ length: 64 * MiB });
    expect(await sha256Of(await driver.read(`${ns}/big`))).toEqual({
      sha256: source.sha256(),
      length: 64 * MiB,
    });
  }, 120_000);

  it('round-trips a source of odd-sized chunks larger than a multipart part', async () => {
    const data = randomBytes(40 * MiB + 3);
    const chunks = [data.subarray(0, 5), data.subarray(5, 35 * MiB), data.subarray(35 * MiB)];
    await expect(driver.write(`${ns}/odd`, Readable.from(chunks))).resolves.toEqual({ length: data.length });
    const read = await sha256Of(await driver.read(`${ns}/odd`));
    expect(read).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), length: data.length });
  }, 60_000);

  describe('ranges', () => {
    const data = randomBytes(1000);
    beforeEach(() => driver.write(`${ns}/ranged`, Readable.from([data])));

    it.each<[string, ByteRange, [number, number]]>([
      ['first byte', { start: 0, end: 0 }, [0, 1]],
      ['middle', { start: 100, end: 199 }, [100, 200]],
      ['last byte', { start: 999, end: 999 }, [999, 1000]],
      ['suffix', { suffixLength: 10 }, [990, 1000]],
      ['end cut to the last byte', { start: 990, end: 5000 }, [990, 1000]],
    ])('reads the %s', async (_case, range, [from, to]) => {
      expect(await readAll(await driver.read(`${ns}/ranged`, range))).toEqual(data.subarray(from, to));
    });

    it.each<[string, ByteRange]>([
      ['starting past the end', { start: 1000, end: 1005 }],
      ['reversed', { start: 10, end: 5 }],
      ['an empty suffix', { suffixLength: 0 }],
    ])('refuses a range %s with StorageRangeError', async (_case, range) => {
      await expect(driver.read(`${ns}/ranged`, range)).rejects.toBeInstanceOf(StorageRangeError);
    });
  });

  it('stats an object and reports a missing one as not found', async () => {
    const before = Date.now();
    await driver.write(`${ns}/stat`, Readable.from([Buffer.from('hello')]));
    const info = await driver.stat(`${ns}/stat`);
    expect(info).toMatchObject({ key: `${ns}/stat`, length: 5 });
    // Some stores keep whole seconds.
    expect(info.modified.getTime()).toBeGreaterThanOrEqual(before - 2000);
    await expect(driver.stat(`${ns}/missing`)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(driver.read(`${ns}/missing`)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(driver.read(`${ns}/missing`, { start: 0, end: 0 })).rejects.toBeInstanceOf(
      StorageNotFoundError,
    );
  });

  it('deletes idempotently', async () => {
    await driver.write(`${ns}/gone`, Readable.from([Buffer.from('x')]));
    await driver.delete(`${ns}/gone`);
    await driver.delete(`${ns}/gone`);
    await expect(driver.stat(`${ns}/gone`)).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('replaces an object atomically under the same key', async () => {
    await driver.write(`${ns}/replaced`, Readable.from([Buffer.from('old content')]));
    await driver.write(`${ns}/replaced`, Readable.from([Buffer.from('new')]));
    expect((await readAll(await driver.read(`${ns}/replaced`))).toString()).toBe('new');
  });

  it('lists by prefix', async () => {
    const keys = [`${ns}/t1/a`, `${ns}/t1/b`, `${ns}/t10/c`, `${ns}/t2/d`];
    for (const key of keys) await driver.write(key, Readable.from([Buffer.from(key)]));
    const keysOf = async (prefix: string) =>
      (await collect(driver.list(prefix))).map((item) => item.key).sort();
    expect(await keysOf(`${ns}/t1/`)).toEqual([`${ns}/t1/a`, `${ns}/t1/b`]);
    expect(await keysOf(`${ns}/t1`)).toEqual([`${ns}/t1/a`, `${ns}/t1/b`, `${ns}/t10/c`]);
    expect(await keysOf(`${ns}/`)).toEqual(keys.sort());
    expect(await keysOf(`${ns}/none/`)).toEqual([]);
    const [first] = await collect(driver.list(`${ns}/t2/`));
    expect(first).toMatchObject({ key: `${ns}/t2/d`, length: `${ns}/t2/d`.length });
    // (Not `toBeInstanceOf(Date)`: jest's Date is another realm's.)
    expect(Number.isNaN(first.modified.getTime())).toBe(false);
  });

  it('takes concurrent writes to different keys', async () => {
    const sources = Array.from({ length: 8 }, (_, i) => ({ key: `${ns}/c${i}`, source: generated(MiB + i) }));
    await Promise.all(sources.map(({ key, source }) => driver.write(key, source)));
    for (const [i, { key, source }] of sources.entries())
      expect(await sha256Of(await driver.read(key))).toEqual({ sha256: source.sha256(), length: MiB + i });
  });

  // 3 MiB fails inside a single-request write; 40 MiB after multipart parts went out.
  it.each([3 * MiB, 40 * MiB])(
    'leaves nothing behind when the source errors after %d bytes',
    async (before) => {
      await expect(
        driver.write(`${ns}/broken`, failingHalfWay(before, new Error('client went away'))),
      ).rejects.toThrow('client went away');
      await expect(driver.stat(`${ns}/broken`)).rejects.toBeInstanceOf(StorageNotFoundError);
      expect(await collect(driver.list(`${ns}/`))).toEqual([]);
      expect(await harness.residue(`${ns}/`)).toEqual([]);
    },
    60_000,
  );

  it('leaves nothing behind when the source is destroyed without an error', async () => {
    await expect(driver.write(`${ns}/aborted`, failingHalfWay(MiB))).rejects.toThrow();
    await expect(driver.stat(`${ns}/aborted`)).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await harness.residue(`${ns}/`)).toEqual([]);
  });

  it('lists what an interrupted write left as temporary, under the empty prefix only, and deletes it', async () => {
    const leftover = await harness.abandonWrite(`${ns}/crashed`);
    const listed = await collect(driver.list(''));
    expect(listed.find((item) => item.key === leftover)).toMatchObject({ temporary: true });
    expect(await collect(driver.list(`${ns}/`))).toEqual([]);
    await expect(driver.stat(leftover)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    await driver.delete(leftover);
    await driver.delete(leftover);
    expect((await collect(driver.list(''))).map((item) => item.key)).not.toContain(leftover);
    expect(await harness.residue(`${ns}/`)).toEqual([]);
  });

  it.each(['', '../x', 'a/../../x', '/etc/passwd', 'a\\b', 'a\u0000b', 'a//b', 'a/', 'C:/x'])(
    'rejects the key %j',
    async (key) => {
      await expect(driver.write(key, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(driver.read(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.stat(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    },
  );
});
