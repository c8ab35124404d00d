/**
 * `npm run bench:storage`: writes and reads a stream (1 GiB by default, BENCH_SIZE_MIB to change)
 * through each storage driver and, in the same run, through a plain fs.createWriteStream /
 * createReadStream copy of the same bytes. Prints MB/s and CPU seconds per GiB, driver/plain ratios,
 * the stream meter with hashing on and off the event loop, and peak RSS growth. Per-thread CPU time
 * (Linux) gives a second, contention-proof figure: the throughput the CPU alone would allow on idle
 * cores (the busiest thread, or all threads spread over the cores, whichever limits first).
 *
 * The machine is shared, so contestants take turns within each round (A B C, A B C, ...) and the
 * best round of each counts. The MinIO driver runs against s3rver in a child process (or the server
 * named by MINIO_ENDPOINT etc.): s3rver is slow, its figures show behaviour, not speed.
 */
import {
  createStreamMeter,
  FilesystemStorageDriver,
  MinioStorageDriver,
  type MinioStorageOptions,
  type StorageDriver,
} from '@depot/storage';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

/** Highest RSS seen, sampled every 20 ms. */
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

interface Contestant {
  label: string;
  run(): Promise<unknown>;
  /** Untimed, after each round: every round writes a new file, as in production. */
  cleanUp?(): Promise<unknown>;
}

interface Figure {
  mbps: number;
  /** CPU seconds (all threads) per GiB moved: steadier than MB/s on a busy machine. */
  cpuPerGiB: number;
  /** CPU seconds per GiB of the busiest thread: on idle cores, that thread is the limit. */
  busiestPerGiB: number;
  peakRss: number;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const ratio = (a: Figure, b: Figure) => (a.mbps / b.mbps).toFixed(2);
const CORES = availableParallelism();

/** What the CPU alone would allow on idle cores: the busiest thread, or all threads over the cores. */
const cpuBoundMbps = (figure: Figure) =>
  1073.741824 / Math.max(figure.busiestPerGiB, figure.cpuPerGiB / CORES);

/** CPU seconds so far of each thread of this process (Linux; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const seconds = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return seconds;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(tid, (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, in USER_HZ
    } catch {
      // The thread ended in between.
    }
  }
  return seconds;
}

async function timed(contestant: Contestant): Promise<Figure> {
  const rss = new RssSampler();
  const cpu = process.cpuUsage();
  const threadsBefore = threadCpu();
  const started = process.hrtime.bigint();
  await contestant.run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const busiest = Math.max(
    0,
    ...[...threadCpu()].map(([tid, total]) => total - (threadsBefore.get(tid) ?? 0)),
  );
  rss.stop();
  await contestant.cleanUp?.();
  const gib = SIZE / (1024 * MiB);
  return {
    mbps: SIZE / 1e6 / seconds,
    cpuPerGiB: (used.user + used.system) / 1e6 / gib,
    busiestPerGiB: busiest / gib,
    peakRss: rss.peak,
  };
}

/** Runs the contestants in turn, `rounds` times; keeps each one's fastest round. */
async function tournament(title: string, contestants: Contestant[], rounds = ROUNDS): Promise<Figure[]> {
  console.log(`\n${title}`);
  const best: Figure[] = contestants.map(() => ({ mbps: 0, cpuPerGiB: 0, busiestPerGiB: 0, peakRss: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, contestant] of contestants.entries()) {
      const figure = await timed(contestant);
      if (process.env.BENCH_VERBOSE)
        console.log(`    round ${round + 1}: ${contestant.label} ${figure.mbps.toFixed(0)} MB/s`);
      if (figure.mbps > best[i].mbps) best[i] = figure;
    }
  }
  for (const [i, { label }] of contestants.entries()) {
    const figure = best[i];
    console.log(
      `  ${label.padEnd(42)} ${figure.mbps.toFixed(0).padStart(6)} MB/s` +
        `  CPU-s/GiB ${figure.cpuPerGiB.toFixed(2)} (busiest thread ${figure.busiestPerGiB.toFixed(2)},` +
        ` CPU-bound ${cpuBoundMbps(figure).toFixed(0)} MB/s)  peak RSS ${mib(figure.peakRss)}`,
    );
  }
  return best;
}

/** s3rver in a child process, so the RSS figures are the driver's alone. */
async function spawnS3rver(): Promise<{ child: ChildProcess; port: number }> {
  const script = path.join(__dirname, '..', 'test', 'storage', 'start-s3rver.ts');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

function minioOptionsFromEnv(): MinioStorageOptions | undefined {
  const env = process.env;
  if (!env.MINIO_ENDPOINT) return undefined;
  return {
    endPoint: env.MINIO_ENDPOINT,
    port: Number(env.MINIO_PORT ?? 9000),
    useSSL: env.MINIO_USE_SSL === 'true',
    accessKey: env.MINIO_ACCESS_KEY ?? '',
    secretKey: env.MINIO_SECRET_KEY ?? '',
    bucket: env.MINIO_BUCKET ?? 'depot',
    region: env.MINIO_REGION ?? 'us-east-1',
  };
}

function driverContestants(driver: StorageDriver, key: string): { write: Contestant; read: Contestant } {
  return {
    write: { label: `${driver.name} driver write`, run: () => driver.write(key, source()) },
    read: {
      label: `${driver.name} driver read`,
      run: async () => pipeline(await driver.read(key), nullSink()),
    },
  };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'depot-bench-storage-'));
  const startRss = process.memoryUsage.rss();
  console.log(`storage bench: ${mib(SIZE)} per run, best of ${ROUNDS}, start RSS ${mib(startRss)}`);
  let s3rver: { child: ChildProcess; port: number } | undefined;
  try {
    const [none, inline, workers] = await tournament(
      'stream meter alone (generated source -> meter -> null sink)',
      [
        { label: 'no meter (stream overhead only)', run: () => pipeline(source(), nullSink()) },
        {
          label: 'meter, MD5+SHA-256 on the event loop',
          run: () => pipeline(source(), createStreamMeter({ hashing: 'inline' }), nullSink()),
        },
        {
          label: 'meter, MD5+SHA-256 in two workers',
          run: () => pipeline(source(), createStreamMeter(), nullSink()),
        },
      ],
    );

    const plainFile = path.join(work, 'plain');
    const fsDriver = new FilesystemStorageDriver(path.join(work, 'blobs'));
    const fsKey = 'bench/object';
    const fs = driverContestants(fsDriver, fsKey);
    const [plainWrite, plainWriteSync, fsWrite, meteredInline, meteredWorkers] = await tournament(
      'writes: plain fs copy and filesystem driver, same bytes',
      [
        {
          label: 'fs.createWriteStream',
          run: () => pipeline(source(), createWriteStream(plainFile)),
          // Untimed: its dirty pages must not be written back on the next contestant's time.
          cleanUp: () => rm(plainFile).then(() => execFileSync('sync')),
        },
        {
          label: 'fs.createWriteStream + fsync (flush)',
          run: () => pipeline(source(), createWriteStream(plainFile, { flush: true })),
          cleanUp: () => rm(plainFile),
        },
        { ...fs.write, cleanUp: () => fsDriver.delete(fsKey) },
        {
          label: 'filesystem driver write + meter (inline)',
          run: () => fsDriver.write(fsKey, source().pipe(createStreamMeter({ hashing: 'inline' }))),
          cleanUp: () => fsDriver.delete(fsKey),
        },
        {
          label: 'filesystem driver write + meter (workers)',
          run: () => fsDriver.write(fsKey, source().pipe(createStreamMeter())),
          cleanUp: () => fsDriver.delete(fsKey),
        },
      ],
    );
    await pipeline(source(), createWriteStream(plainFile));
    await fsDriver.write(fsKey, source());
    const [plainRead, plainRead1M, fsRead] = await tournament('reads: plain fs copy and filesystem driver', [
      {
        label: 'fs.createReadStream (default 64 KiB)',
        run: () => pipeline(createReadStream(plainFile), nullSink()),
      },
      {
        label: 'fs.createReadStream (highWaterMark 1 MiB)',
        run: () => pipeline(createReadStream(plainFile, { highWaterMark: MiB }), nullSink()),
      },
      fs.read,
    ]);
    await rm(plainFile);
    await fsDriver.delete(fsKey);
    const fsPeak = Math.max(
      ...[none, inline, workers, plainWrite, plainWriteSync, fsWrite, meteredInline, meteredWorkers].map(
        (figure) => figure.peakRss,
      ),
      ...[plainRead, plainRead1M, fsRead].map((figure) => figure.peakRss),
    );

    let options = minioOptionsFromEnv();
    if (!options) {
      s3rver = await spawnS3rver();
      const common = { useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', region: 'us-east-1' };
      options = { endPoint: '127.0.0.1', port: s3rver.port, bucket: 'depot-bench', ...common };
    }
    const minioDriver = new MinioStorageDriver(options);
    const minio = driverContestants(minioDriver, 'bench/object');
    const [minioWrite] = await tournament(
      'minio driver write (s3rver: behaviour, not speed)',
      [minio.write],
      1,
    );
    const [minioRead] = await tournament('minio driver read', [minio.read], 1);
    await minioDriver.delete('bench/object');

    console.log('\nsummary');
    const line = (label: string, value: string) => console.log(`  ${label.padEnd(48)} ${value}`);
    line('meter in workers / meter on the event loop', `${ratio(workers, inline)}`);
    line(
      `  CPU-bound on ${CORES} idle cores`,
      `${cpuBoundMbps(workers).toFixed(0)} vs ${cpuBoundMbps(inline).toFixed(0)} MB/s`,
    );
    line('filesystem write / plain write', ratio(fsWrite, plainWrite));
    line('filesystem write / plain write + fsync', ratio(fsWrite, plainWriteSync));
    line('filesystem write + meter (workers) / plain + fsync', ratio(meteredWorkers, plainWriteSync));
    line('filesystem write + meter (inline) / plain + fsync', ratio(meteredInline, plainWriteSync));
    line(
      `  CPU-bound on ${CORES} idle cores: plain, +workers, +inline`,
      [plainWriteSync, meteredWorkers, meteredInline]
        .map((figure) => cpuBoundMbps(figure).toFixed(0))
        .join(', ') + ' MB/s',
    );
    line('filesystem read / plain read (64 KiB)', ratio(fsRead, plainRead));
    line('filesystem read / plain read (1 MiB)', ratio(fsRead, plainRead1M));
    line('minio write / read', `${minioWrite.mbps.toFixed(0)} / ${minioRead.mbps.toFixed(0)} MB/s`);
    // A bare stream pipeline already grows the heap (V8's young generation, JIT): the second figure
    // counts only what comes on top of that warm pipeline.
    const overWarm = (peak: number) =>
      `${mib(peak - startRss)} over start, ${mib(peak - none.peakRss)} over a bare pipeline`;
    line('peak RSS growth, filesystem and meter', `${overWarm(fsPeak)} (target < 64 MiB)`);
    line('peak RSS growth, minio', overWarm(Math.max(minioWrite.peakRss, minioRead.peakRss)));
  } finally {
    s3rver?.child.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

void main();
