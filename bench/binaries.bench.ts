/**
 * `npm run bench`: Depot's binaries API against a plain Node.js baseline, in the same run.
 *
 * - Depot runs as its own process (main.ts, filesystem driver, PostgreSQL from DATABASE_URL or the
 *   embedded one), so its peak RSS is read from /proc/<pid>/status (VmHWM, reset per phase when the
 *   kernel allows it).
 * - The baseline (bench/binaries-baseline-server.ts) parses multipart with busboy into a file and
 *   streams files back with a 1 MiB highWaterMark.
 * - A BENCH_SIZE_MIB (default 1024) multipart upload and its download through each, best of
 *   BENCH_ROUNDS (default 2) with the contestants taking turns; then 10 KiB uploads at concurrency 16
 *   for BENCH_SMALL_SECONDS (default 10) each with autocannon.
 * BENCH_DIR (default the OS temp dir) holds both servers' data.
 * The machine is shared: figures move from run to run; the ratios are what to read.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as ts from 'typescript';
import { findFreeLoopbackPort } from '../libs/database/src/embedded-postgres.launcher';
import { basicAuth } from '../test/support/test-app';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database';
import { cpuSeconds, peakRssMiB, resetPeakRss } from './process-stats';

// autocannon ships no typings; this is the part used here.
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  '2xx': number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SMALL_SECONDS = Number(process.env.BENCH_SMALL_SECONDS ?? 10);
const SETTLE_MS = 2000;
const BOUNDARY = 'depot-bench-boundary';
const BLOCK = randomBytes(16 * MiB);
const CHUNK = 256 * 1024;
const REPO_ROOT = path.resolve(__dirname, '..');

interface Contestant {
  name: string;
  pid: number;
  baseUrl: string;
  uploadPath: string;
  headers: Record<string, string>;
  downloadPath(id: string): string;
}

function multipartHead(filename: string): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="object"\r\n\r\n${JSON.stringify({ name: filename })}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
}
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** head, `size` bytes cut from one random block, tail. */
function multipartBody(size: number, filename: string): Readable {
  const head = multipartHead(filename);
  let sent = 0;
  let stage: 'head' | 'body' | 'tail' | 'done' = 'head';
  return new Readable({
    read() {
      if (stage === 'head') {
        stage = size > 0 ? 'body' : 'tail';
        this.push(head);
      } else if (stage === 'body') {
        const offset = sent % BLOCK.length;
        const length = Math.min(CHUNK, size - sent, BLOCK.length - offset);
        sent += length;
        if (sent >= size) stage = 'tail';
        this.push(BLOCK.subarray(offset, offset + length));
      } else if (stage === 'tail') {
        stage = 'done';
        this.push(TAIL);
      } else {
        this.push(null);
      }
    },
  });
}

function multipartLength(size: number, filename: string): number {
  return multipartHead(filename).length + size + TAIL.length;
}

/**
 * One multipart upload. `finalizeSeconds` is the wait between the last byte sent and the answer:
 * what the server does after the body (fsync, rename, commit), which the baseline does not do.
 */
async function upload(
  target: Contestant,
  size: number,
): Promise<{ seconds: number; finalizeSeconds: number; id: string }> {
  const filename = 'bench.bin';
  const started = process.hrtime.bigint();
  const request = http.request(`${target.baseUrl}${target.uploadPath}`, {
    method: 'POST',
    agent: false,
    headers: {
      ...target.headers,
      accept: 'application/json',
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(multipartLength(size, filename)),
    },
  });
  const responded = once(request, 'response') as Promise<[http.IncomingMessage]>;
  await pipeline(multipartBody(size, filename), request);
  const sent = process.hrtime.bigint();
  const [response] = await responded;
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const finished = process.hrtime.bigint();
  const seconds = Number(finished - started) / 1e9;
  const finalizeSeconds = Number(finished - sent) / 1e9;
  if (response.statusCode !== 201)
    throw new Error(`${target.name} upload: ${response.statusCode} ${Buffer.concat(chunks).toString()}`);
  const id = (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id;
  return { seconds, finalizeSeconds, id };
}

async function download(target: Contestant, id: string, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(`${target.baseUrl}${target.downloadPath(id)}`, { agent: false, headers: target.headers }, resolve)
      .on('error', reject);
  });
  let received = 0;
  response.on('data', (chunk: Buffer) => (received += chunk.length));
  await once(response, 'end');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (response.statusCode !== 200 || received !== size)
    throw new Error(`${target.name} download: ${response.statusCode}, ${received} of ${size} bytes`);
  return seconds;
}

/**
 * Compiles the server to plain JavaScript (tsc + tsc-alias into `outDir`), so the measured process
 * carries no TypeScript loader: RSS and start-up are what `npm start` runs.
 */
function buildDepot(outDir: string): string {
  const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules', '.bin', name);
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    // Type errors still emit JavaScript; only a missing entry point is fatal (checked below).
    console.warn(
      `tsc reported problems: ${String((error as { stdout?: Buffer }).stdout ?? error).slice(0, 500)}`,
    );
  }
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  return path.join(outDir, 'apps', 'server', 'src', 'main.js');
}

/** The baseline server, transpiled once to JavaScript beside the build. */
function buildBaseline(outDir: string): string {
  const source = readFileSync(path.join(REPO_ROOT, 'bench', 'binaries-baseline-server.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const file = path.join(outDir, 'binaries-baseline-server.js');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, outputText);
  return file;
}

/** Node's module resolution for the built files, which live outside the repository. */
const NODE_PATH = path.join(REPO_ROOT, 'node_modules');

async function startDepot(
  main: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await findFreeLoopbackPort();
  const child = spawn(process.execPath, [main], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, NODE_PATH, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('Depot exited during start-up');
    const healthy = await fetch(`${baseUrl}/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (healthy) return { child, baseUrl };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('Depot did not become healthy');
}

async function startBaseline(
  script: string,
  directory: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script, directory], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_PATH },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout) {
    output += (chunk as Buffer).toString();
    const match = /LISTENING (\d+)/.exec(output);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error('baseline server exited before listening');
}

const mbps = (bytes: number, seconds: number): number => bytes / 1e6 / seconds;
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

async function main(): Promise<void> {
  // BENCH_DIR puts both servers' data elsewhere (e.g. /dev/shm to see the cost of fsync).
  const workDir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), 'depot-bench-'));
  const password = 'bench-password-1';
  const env: Record<string, string> = {
    DATA_DIR: path.join(workDir, 'depot'),
    BOOTSTRAP_TENANT: 'management',
    BOOTSTRAP_USER: 'admin',
    BOOTSTRAP_PASSWORD: password,
    MAX_BINARY_SIZE: String(Math.max(SIZE, MiB) * 2),
    LOG_LEVEL: 'warn',
  };
  // With DATABASE_URL, a throwaway database on that server (dropped at the end), never its own data.
  const databaseUrl = process.env.DATABASE_URL ? await createTestDatabase() : undefined;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const baselineDir = path.join(workDir, 'baseline');
  mkdirSync(baselineDir, { recursive: true });

  console.log('Compiling Depot and the baseline to JavaScript...');
  const depotMain = buildDepot(path.join(workDir, 'build'));
  const baselineScript = buildBaseline(path.join(workDir, 'build', 'bench'));
  console.log(
    `Starting Depot (${env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}) and the baseline...`,
  );
  const depotServer = await startDepot(depotMain, env);
  const baseline = await startBaseline(baselineScript, baselineDir);
  const auth = basicAuth('management', 'admin', password);
  const depot: Contestant = {
    name: 'depot',
    pid: depotServer.child.pid!,
    baseUrl: depotServer.baseUrl,
    uploadPath: '/inventory/binaries',
    headers: { authorization: auth },
    downloadPath: (id) => `/inventory/binaries/${id}`,
  };
  const plain: Contestant = {
    name: 'baseline',
    pid: baseline.child.pid!,
    baseUrl: `http://127.0.0.1:${baseline.port}`,
    uploadPath: '/upload',
    headers: {},
    downloadPath: (id) => `/download/${id}`,
  };

  try {
    // Warm-up: JIT, hash workers, connection pools.
    for (const target of [plain, depot]) {
      const { id } = await upload(target, 8 * MiB);
      await download(target, id, 8 * MiB);
    }

    const best = new Map<
      string,
      {
        up: number;
        down: number;
        rssUp: number;
        rssDown: number;
        cpuUp: number;
        cpuDown: number;
        finalize: number;
      }
    >();
    const GiB = 1024 * MiB;
    let resettable = true;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of round % 2 === 1 ? [plain, depot] : [depot, plain]) {
        resettable = resetPeakRss(target.pid) && resettable;
        const cpuBeforeUp = cpuSeconds(target.pid);
        const { seconds: upSeconds, finalizeSeconds, id } = await upload(target, SIZE);
        const cpuUp = ((cpuSeconds(target.pid) - cpuBeforeUp) * GiB) / SIZE;
        const rssUp = peakRssMiB(target.pid);
        // Let the upload's garbage collection finish so the download is not billed for it.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        resettable = resetPeakRss(target.pid) && resettable;
        const cpuBeforeDown = cpuSeconds(target.pid);
        const downSeconds = await download(target, id, SIZE);
        const cpuDown = ((cpuSeconds(target.pid) - cpuBeforeDown) * GiB) / SIZE;
        const rssDown = peakRssMiB(target.pid);
        const up = mbps(SIZE, upSeconds);
        const down = mbps(SIZE, downSeconds);
        console.log(
          `round ${round} ${target.name.padEnd(8)} upload ${fixed(up)} MB/s, ${fixed(cpuUp, 2)} CPU-s/GiB, ${fixed(finalizeSeconds * 1000, 0)} ms after the last byte (peak RSS ${fixed(rssUp)} MiB)  download ${fixed(down)} MB/s, ${fixed(cpuDown, 2)} CPU-s/GiB (peak RSS ${fixed(rssDown)} MiB)`,
        );
        const previous = best.get(target.name);
        best.set(target.name, {
          up: Math.max(previous?.up ?? 0, up),
          down: Math.max(previous?.down ?? 0, down),
          rssUp: Math.max(previous?.rssUp ?? 0, rssUp),
          rssDown: Math.max(previous?.rssDown ?? 0, rssDown),
          cpuUp: Math.min(previous?.cpuUp ?? Infinity, cpuUp),
          cpuDown: Math.min(previous?.cpuDown ?? Infinity, cpuDown),
          finalize: Math.min(previous?.finalize ?? Infinity, finalizeSeconds),
        });
      }
    }

    const small: Record<string, AutocannonResult> = {};
    for (const target of [plain, depot]) {
      const body = Buffer.concat([multipartHead('small.bin'), BLOCK.subarray(0, 10 * 1024), TAIL]);
      small[target.name] = await autocannon({
        url: `${target.baseUrl}${target.uploadPath}`,
        method: 'POST',
        connections: 16,
        duration: SMALL_SECONDS,
        headers: {
          ...target.headers,
          accept: 'application/json',
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body,
      });
    }

    const d = best.get('depot')!;
    const b = best.get('baseline')!;
    const sizeLabel = SIZE >= 1024 * MiB ? `${SIZE / (1024 * MiB)} GiB` : `${SIZE / MiB} MiB`;
    console.log(`\n=== ${sizeLabel} multipart upload and download (best of ${ROUNDS}) ===`);
    const header =
      'upload MB/s  CPU-s/GiB  after last byte ms   download MB/s  CPU-s/GiB   peak RSS up / down MiB';
    console.log(`             ${header}`);
    for (const [name, row] of [
      ['baseline', b],
      ['depot', d],
    ] as const) {
      console.log(
        `${name.padEnd(12)} ${fixed(row.up).padStart(11)}  ${fixed(row.cpuUp, 2).padStart(9)}  ${fixed(row.finalize * 1000, 0).padStart(17)}   ${fixed(row.down).padStart(13)}  ${fixed(row.cpuDown, 2).padStart(9)}   ${fixed(row.rssUp)} / ${fixed(row.rssDown)}`,
      );
    }
    console.log(
      `ratio depot/baseline: upload ${fixed(d.up / b.up, 2)} (target >= 0.6, MD5 + SHA-256 included), download ${fixed(d.down / b.down, 2)} (target >= 0.9)`,
    );
    console.log(
      `Depot peak RSS ${fixed(Math.max(d.rssUp, d.rssDown))} MiB (target < 200)${resettable ? '' : ' (VmHWM could not be reset: peak since start)'}`,
    );
    console.log(`\n=== 10 KiB uploads, 16 connections, ${SMALL_SECONDS} s ===`);
    for (const [name, result] of Object.entries(small)) {
      console.log(
        `${name.padEnd(12)} ${fixed(result.requests.average)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   non-2xx ${result.non2xx}   errors ${result.errors}`,
      );
    }
    console.log(
      `ratio depot/baseline req/s: ${fixed(small.depot.requests.average / small.baseline.requests.average, 2)}`,
    );
  } finally {
    baseline.child.kill('SIGTERM');
    const exited = once(depotServer.child, 'exit');
    depotServer.child.kill('SIGTERM');
    await exited;
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
