/**
 * `npm run bench` (plugins part; alone: `npm run bench:plugins`): a hosted application of 5,000 files
 * in a 50 MiB archive gets a 5 MiB plugin added and removed through a real server process (filesystem
 * storage, PostgreSQL from DATABASE_URL or the embedded one; compiled to JavaScript as `npm start`
 * runs it), against a baseline of copying the same
 * archive through the filesystem storage driver (read one key, write another, fsync) on the same disk.
 *
 * Method (issue 15): baseline and Depot alternate, copy, add, copy, remove, ... for BENCH_ROUNDS
 * (default 5) rounds; each change is paired with the copy just before it, and the figure is the median
 * of the per-pair ratios (change / copy), next to the median times and the CPU seconds of each side
 * (the server's from /proc, the copy's from this process). The application is uploaded by a first
 * server process, which is then stopped: a fresh one serves the changes, so the peak RSS shown
 * (VmHWM) covers that process's whole life (start-up and every change), not one phase, and not the
 * seeding upload (shown apart). BENCH_CONTEND=1 keeps one core busy with a spinning process meanwhile.
 * The machine is shared: read the ratios, not the times.
 */
import { createFileEntry } from '@depot/archive';
import { zipOfEntries } from '@depot/archive/testing/zip-of';
import { FilesystemStorageDriver } from '@depot/storage';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { spawnServer, type SpawnedServer } from '../test/support/spawn-server';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database';
import { BENCH_PASSWORD, callDepot, CONTEND } from './harness';
import { cpuSeconds, peakRssMiB, rssMiB } from './process-stats';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const APP_FILES = 5000;
const APP_ZIP_SIZE = 50 * MiB;
const PLUGIN_FILES = 100;
const PLUGIN_ZIP_SIZE = 5 * MiB;
const TARGET_MS = 400;
const TARGET_RSS_MIB = 256;

/**
 * A zip of `files` text files (random base64, which deflates to about 3/4, like minified code)
 * whose compressed size is about `size`.
 */
function textZip(prefix: string, files: number, size: number): Buffer {
  const perFile = Math.round(size / files / 0.76);
  const entries = Array.from({ length: files }, (_, index) =>
    createFileEntry(
      `${prefix}${Math.floor(index / 100)}/file-${index}.js`,
      Buffer.from(
        randomBytes(Math.ceil((perFile * 3) / 4))
          .toString('base64')
          .slice(0, perFile),
      ),
    ),
  );
  if (prefix === 'assets/') entries[0] = createFileEntry('index.html', Buffer.from('<html>bench</html>'));
  return zipOfEntries(entries);
}

function zipForm(zip: Buffer, fileName: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([zip], { type: 'application/zip' }), fileName);
  return form;
}

/** The message of a log line, whether the server logs JSON (pino) or text. */
function messageOf(line: string): string {
  try {
    const { msg } = JSON.parse(line) as { msg?: unknown };
    return typeof msg === 'string' ? msg : line;
  } catch {
    return line;
  }
}

interface Run {
  ms: number;
  cpuSeconds: number;
}

/** The wall time of `work`, and the CPU seconds `cpu` counted meanwhile. */
async function measured(work: () => Promise<unknown>, cpu: () => number): Promise<Run> {
  const cpuBefore = cpu();
  const started = process.hrtime.bigint();
  await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, cpuSeconds: cpu() - cpuBefore };
}

/** CPU seconds (user + system, all threads) of this process. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The server compiled to plain JavaScript (tsc + tsc-alias into `outDir`), as `npm start` and the
 * Docker image run it: no TypeScript loader in the measured process's RSS.
 */
function compileServer(outDir: string): string {
  const repoRoot = path.resolve(__dirname, '..');
  for (const tool of ['tsc', 'tsc-alias'])
    execFileSync(
      path.join(repoRoot, 'node_modules', '.bin', tool),
      ['-p', 'tsconfig.build.json', '--outDir', outDir],
      {
        cwd: repoRoot,
        stdio: 'pipe',
      },
    );
  return path.join(outDir, 'apps', 'server', 'src', 'main.js');
}

/** One process spinning on a core until killed (BENCH_CONTEND=1). */
function startCpuHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function stop(server: SpawnedServer): Promise<void> {
  server.kill('SIGTERM');
  await server.exited;
}

function row(label: string, baseline: Run[], depot: Run[], target: string): string {
  const ratios = depot.map((run, index) => run.ms / baseline[index].ms);
  const ms = (runs: Run[]): string => `${median(runs.map((run) => run.ms)).toFixed(0)} ms`;
  const cpu = (runs: Run[]): string => `${median(runs.map((run) => run.cpuSeconds)).toFixed(2)} CPU-s`;
  return (
    `  ${label.padEnd(8)} baseline ${ms(baseline)} (${cpu(baseline)})  Depot ${ms(depot)} (${cpu(depot)}; ` +
    `min ${Math.min(...depot.map((run) => run.ms)).toFixed(0)}, max ${Math.max(...depot.map((run) => run.ms)).toFixed(0)})  ` +
    `ratio ${median(ratios).toFixed(1)}x  target ${target}: ${median(depot.map((run) => run.ms)) <= TARGET_MS ? 'met' : 'NOT met'}`
  );
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), 'depot-bench-plugins-'));
  // mkdtemp makes it 0700; as root, embedded PostgreSQL runs initdb as another user who must reach DATA_DIR.
  await chmod(work, 0o755);
  // The embedded PostgreSQL runs as an unprivileged user when we are root: it must reach DATA_DIR.
  chmodSync(work, 0o755);
  let server: SpawnedServer | undefined;
  let hog: ChildProcess | undefined;
  let databaseUrl = '';
  try {
    process.stdout.write(
      `plugins bench${CONTEND ? ' (BENCH_CONTEND=1: one core kept busy)' : ''}: building a 50 MiB application of 5,000 files and a 5 MiB plugin...\n`,
    );
    const appZip = textZip('assets/', APP_FILES, APP_ZIP_SIZE);
    const pluginZip = textZip('lib/', PLUGIN_FILES, PLUGIN_ZIP_SIZE);
    process.stdout.write(
      `  application zip ${(appZip.length / MiB).toFixed(1)} MiB (${APP_FILES} files), plugin zip ${(pluginZip.length / MiB).toFixed(1)} MiB (${PLUGIN_FILES} files)\n`,
    );

    process.stdout.write('  compiling the server to JavaScript...\n');
    const serverMain = compileServer(path.join(work, 'build'));
    // With DATABASE_URL, a throwaway database on that server (dropped at the end); else the embedded one.
    databaseUrl = process.env.DATABASE_URL ? await createTestDatabase() : '';
    const serverEnv = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(work, 'server'),
      BOOTSTRAP_PASSWORD: BENCH_PASSWORD,
      LOG_LEVEL: 'log',
      ...(process.env.BENCH_SERVER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }
        : {}),
    };
    // Seeding: the 50 MiB upload goes through its own server process (the upload path is not measured here).
    server = await spawnServer(serverEnv, 180_000, serverMain);
    const app = await callDepot(
      server.baseUrl,
      'POST',
      '/application/applications',
      JSON.stringify({ name: 'bench-app', key: 'bench-app-key', type: 'HOSTED', contextPath: 'bench-app' }),
    );
    const appUrl = `/application/applications/${String(app.id)}`;
    await callDepot(server.baseUrl, 'POST', `${appUrl}/binaries`, zipForm(appZip, 'bench-app.zip'));
    const seedingPeak = peakRssMiB(server.pid);
    await stop(server);
    server = undefined;

    server = await spawnServer(serverEnv, 180_000, serverMain);
    const changing = server;
    const startedRss = rssMiB(changing.pid);
    // Baseline: the archive copied through the storage driver, on the same disk as the server's blobs.
    const driver = new FilesystemStorageDriver(path.join(work, 'copy-blobs'));
    await driver.write('bench/source', Readable.from([appZip]));
    let copies = 0;
    const copy = (): Promise<Run> =>
      measured(
        async () => driver.write(`bench/copy-${copies++}`, await driver.read('bench/source')),
        ownCpuSeconds,
      );
    const serverCpu = (): number => cpuSeconds(changing.pid);
    if (CONTEND) hog = startCpuHog();

    const pluginUrl = `${appUrl}/binaries/plugins/bench-plugin`;
    const runs = { addCopy: [] as Run[], add: [] as Run[], removeCopy: [] as Run[], remove: [] as Run[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.addCopy.push(await copy());
      runs.add.push(
        await measured(
          () => callDepot(changing.baseUrl, 'POST', pluginUrl, zipForm(pluginZip, 'p.zip')),
          serverCpu,
        ),
      );
      runs.removeCopy.push(await copy());
      runs.remove.push(await measured(() => callDepot(changing.baseUrl, 'DELETE', pluginUrl), serverCpu));
    }
    const peak = peakRssMiB(changing.pid);

    process.stdout.write(
      [
        `  ${ROUNDS} rounds, baseline = storage-driver copy of the 50 MiB archive (read + write + fsync), paired with the change after it:`,
        row('add', runs.addCopy, runs.add, `<= ${TARGET_MS} ms`),
        row('remove', runs.removeCopy, runs.remove, `<= ${TARGET_MS} ms`),
        `  server peak RSS over its whole run (start-up and ${2 * ROUNDS} changes): ${peak.toFixed(0)} MiB ` +
          `(after start-up ${startedRss.toFixed(0)} MiB)  target <= ${TARGET_RSS_MIB} MiB: ${peak <= TARGET_RSS_MIB ? 'met' : 'NOT met'}`,
        `  (seeding: the first server's peak RSS with the 50 MiB upload, not a target here: ${seedingPeak.toFixed(0)} MiB)`,
        '  server-side phases (from its log):',
        ...changing
          .output()
          .split('\n')
          .filter((line) => line.includes('made archive'))
          .map((line) => `    ${messageOf(line).replace(/^.*Application \d+: /, '')}`),
        '',
      ].join('\n'),
    );
  } finally {
    hog?.kill('SIGKILL');
    if (server) await stop(server);
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
