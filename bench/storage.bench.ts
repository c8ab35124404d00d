/**
 * `npm run bench:storage`: writes and reads a stream (1 GiB by default, BENCH_SIZE_MIB to change)
 * through each storage driver and, in the same run, through a plain fs.createWriteStream /
 * createReadStream copy of the same bytes. Prints MB/s, driver/plain ratios, the stream meter's
 * throughput with hashing on and off the event loop, and peak RSS. The MinIO driver runs against
 * s3rver started here (or MINIO_ENDPOINT etc. when set): s3rver figures show behaviour, not speed.
 */
import {
  createStreamMeter,
  FilesystemStorageDriver,
  MinioStorageDriver,
  type MinioStorageOptions,
  type StorageDriver,
} from '@depot/storage';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startS3rver, type RunningS3rver } from '../test/storage/start-s3rver';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHUNK = 64 * 1024;
const BLOCK = randomBytes(16 * MiB);

/** `SIZE` bytes in 64 KiB chunks cut from one random block: the same bytes for every contestant. */
function source(): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      const offset = sent % BLOCK.length;
      const length = Math.min(CHUNK, SIZE - sent);
      sent += length;
      this.push(BLOCK.subarray(offset, offset + length));
      if (sent >= SIZE) this.push(null);
    },
  });
}

function nullSink(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** Samples RSS every 20 ms so short peaks are seen. */
class RssSampler {
  peak = process.memoryUsage.rss();
  private readonly timer = setInterval(() => this.sample(), 20);
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

interface Figure {
  mbps: number;
  peakRss: number;
}

/** Best of `ROUNDS` (least disturbed by the other processes on the machine), with its peak RSS. */
async function measure(label: string, run: () => Promise<void>, rounds = ROUNDS): Promise<Figure> {
  let best: Figure = { mbps: 0, peakRss: 0 };
  for (let round = 0; round < rounds; round++) {
    global.gc?.();
    const rss = new RssSampler();
    const started = process.hrtime.bigint();
    await run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rss.stop();
    const mbps = SIZE / 1e6 / seconds;
    if (mbps > best.mbps) best = { mbps, peakRss: rss.peak };
  }
  console.log(
    `  ${label.padEnd(44)} ${best.mbps.toFixed(0).padStart(6)} MB/s   peak RSS ${mib(best.peakRss)}`,
  );
  return best;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const ratio = (a: Figure, b: Figure) => (a.mbps / b.mbps).toFixed(2);

async function benchDriver(driver: StorageDriver, rounds = ROUNDS): Promise<{ write: Figure; read: Figure }> {
  const key = 'bench/object';
  const write = await measure(
    `${driver.name} driver write`,
    async () => {
      await driver.write(key, source());
    },
    rounds,
  );
  const read = await measure(
    `${driver.name} driver read`,
    async () => {
      await pipeline(await driver.read(key), nullSink());
    },
    rounds,
  );
  await driver.delete(key);
  return { write, read };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'depot-bench-storage-'));
  const startRss = process.memoryUsage.rss();
  console.log(`storage bench: ${mib(SIZE)} per run, best of ${ROUNDS}, start RSS ${mib(startRss)}`);
  let s3rver: RunningS3rver | undefined;
  try {
    console.log('\nstream meter alone (generated source -> meter -> null sink)');
    const none = await measure('no meter', () => pipeline(source(), nullSink()));
    const inline = await measure('meter, MD5+SHA-256 on the event loop', () =>
      pipeline(source(), createStreamMeter({ hashing: 'inline' }), nullSink()),
    );
    const worker = await measure('meter, MD5+SHA-256 in two workers', () =>
      pipeline(source(), createStreamMeter(), nullSink()),
    );

    console.log('\nplain fs copy of the same bytes');
    const plainFile = path.join(work, 'plain');
    const plainWrite = await measure('fs.createWriteStream', () =>
      pipeline(source(), createWriteStream(plainFile)),
    );
    const plainWriteSync = await measure('fs.createWriteStream + fsync (flush)', () =>
      pipeline(source(), createWriteStream(plainFile, { flush: true })),
    );
    const plainRead = await measure('fs.createReadStream (default 64 KiB)', () =>
      pipeline(createReadStream(plainFile), nullSink()),
    );
    const plainRead1M = await measure('fs.createReadStream (highWaterMark 1 MiB)', () =>
      pipeline(createReadStream(plainFile, { highWaterMark: MiB }), nullSink()),
    );
    await rm(plainFile);

    console.log('\nfilesystem driver');
    const fsDriver = new FilesystemStorageDriver(path.join(work, 'blobs'));
    const fsFigures = await benchDriver(fsDriver);
    const meteredInline = await measure('filesystem write through meter (inline)', () =>
      fsDriver
        .write('bench/metered', source().pipe(createStreamMeter({ hashing: 'inline' })))
        .then(() => undefined),
    );
    const meteredWorker = await measure('filesystem write through meter (workers)', () =>
      fsDriver.write('bench/metered', source().pipe(createStreamMeter())).then(() => undefined),
    );
    await fsDriver.delete('bench/metered');

    console.log('\nminio driver (s3rver unless MINIO_ENDPOINT is set: behaviour, not speed)');
    const env = process.env;
    let options: MinioStorageOptions;
    if (env.MINIO_ENDPOINT) {
      options = {
        endPoint: env.MINIO_ENDPOINT,
        port: Number(env.MINIO_PORT ?? 9000),
        useSSL: env.MINIO_USE_SSL === 'true',
        accessKey: env.MINIO_ACCESS_KEY ?? '',
        secretKey: env.MINIO_SECRET_KEY ?? '',
        bucket: env.MINIO_BUCKET ?? 'depot',
        region: env.MINIO_REGION ?? 'us-east-1',
      };
    } else {
      s3rver = await startS3rver();
      options = {
        endPoint: s3rver.endPoint,
        port: s3rver.port,
        useSSL: false,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        bucket: 'depot-bench',
        region: 'us-east-1',
      };
    }
    const minioFigures = await benchDriver(new MinioStorageDriver(options), 1);

    console.log('\nsummary');
    console.log(`  meter on the event loop / no meter:           ${inline.mbps.toFixed(0)} MB/s`);
    console.log(
      `  meter in workers / on the event loop:         ${ratio(worker, inline)}x (${worker.mbps.toFixed(0)} MB/s, none ${none.mbps.toFixed(0)})`,
    );
    console.log(`  filesystem write / plain write:               ${ratio(fsFigures.write, plainWrite)}`);
    console.log(`  filesystem write / plain write + fsync:       ${ratio(fsFigures.write, plainWriteSync)}`);
    console.log(
      `  filesystem write + meter (workers) / plain:   ${ratio(meteredWorker, plainWrite)} (+fsync: ${ratio(meteredWorker, plainWriteSync)})`,
    );
    console.log(
      `  filesystem write + meter (inline) / plain:    ${ratio(meteredInline, plainWrite)} (+fsync: ${ratio(meteredInline, plainWriteSync)})`,
    );
    console.log(`  filesystem read / plain read (64 KiB):        ${ratio(fsFigures.read, plainRead)}`);
    console.log(`  filesystem read / plain read (1 MiB):         ${ratio(fsFigures.read, plainRead1M)}`);
    console.log(
      `  minio write / read:                           ${minioFigures.write.mbps.toFixed(0)} / ${minioFigures.read.mbps.toFixed(0)} MB/s`,
    );
    const peak = Math.max(
      ...[
        none,
        inline,
        worker,
        plainWrite,
        plainWriteSync,
        plainRead,
        plainRead1M,
        meteredInline,
        meteredWorker,
      ]
        .concat(Object.values(fsFigures), Object.values(minioFigures))
        .map((figure) => figure.peakRss),
    );
    console.log(`  peak RSS ${mib(peak)}, growth over start ${mib(peak - startRss)} (target < 64 MiB)`);
  } finally {
    await s3rver?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

void main();
