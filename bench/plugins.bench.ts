/**
 * `npm run bench` (plugins part; alone: `npm run bench:plugins`): a hosted application of 5,000 files
 * in a 50 MiB archive gets a 5 MiB plugin added and removed through Depot compiled to JavaScript in
 * its own process (filesystem storage, PostgreSQL from DATABASE_URL or the embedded one), against a
 * baseline of copying the same archive through the filesystem storage driver in this process (read
 * one key, write another, fsync) on the same disk.
 *
 * Method (bench/harness.ts): copy and change take turns, the order rotating (copy add, remove copy,
 * copy add, ...), BENCH_ROUNDS (default 5) adds and as many removes, each paired with its copy; the
 * rows give both medians, the median of per-pair ratios (change / copy) and the target on Depot's
 * time, with the CPU seconds of each side from /proc (Depot's process; this process for the copy).
 * The application is uploaded by a first Depot process, which is then stopped: a fresh one serves
 * the changes, so its peak RSS covers that process's whole life (start-up and every change), not the
 * seeding upload (shown apart). BENCH_CONTEND=1 keeps one core busy meanwhile;
 * BENCH_SERVER_NODE_OPTIONS gives Depot NODE_OPTIONS. The machine is shared: read the ratios.
 */
import { createFileEntry } from '@depot/archive';
import { zipOfEntries } from '@depot/archive/testing/zip-of';
import { FilesystemStorageDriver } from '@depot/storage';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  alternate,
  BENCH_PASSWORD,
  buildDepot,
  callDepot,
  CONTEND,
  cpuSeconds,
  maybeContended,
  median,
  MiB,
  printRow,
  printSummary,
  RssWatch,
  rssMiB,
  startDepot,
  withCpu,
  runBench,
} from './harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const APP_FILES = 5000;
const APP_ZIP_SIZE = 50 * MiB;
const PLUGIN_FILES = 100;
const PLUGIN_ZIP_SIZE = 5 * MiB;

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
  cpu: number;
}

/** The wall time of `work` and the CPU seconds `pid` spent meanwhile. */
async function timed(pid: number, work: () => Promise<unknown>): Promise<Run> {
  const { result: ms, cpu } = await withCpu(pid, async () => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  });
  return { ms, cpu };
}

/** The add or remove row: copy and change times, their CPU, the target on Depot's median time. */
function changeRow(operation: string, copies: Run[], changes: Run[]): void {
  const cpu = (runs: Run[]): string => median(runs.map((run) => run.cpu)).toFixed(2);
  printRow({
    what: `5 MiB plugin ${operation}, 50 MiB application of 5,000 files, vs storage-driver copy of the archive`,
    unit: 'ms',
    baseline: copies.map((run) => run.ms),
    depot: changes.map((run) => run.ms),
    target: { atMost: 400 },
    targetOn: 'depot',
    note: `CPU-s: copy (this process) ${cpu(copies)}, Depot ${cpu(changes)}`,
  });
}

runBench('depot-bench-plugins-', async ({ workDir, databaseUrl, servers }) => {
  console.log('Building a 50 MiB application of 5,000 files and a 5 MiB plugin...');
  const appZip = textZip('assets/', APP_FILES, APP_ZIP_SIZE);
  const pluginZip = textZip('lib/', PLUGIN_FILES, PLUGIN_ZIP_SIZE);
  console.log(
    `  application zip ${(appZip.length / MiB).toFixed(1)} MiB (${APP_FILES} files), plugin zip ${(pluginZip.length / MiB).toFixed(1)} MiB (${PLUGIN_FILES} files)`,
  );
  console.log(`Compiling Depot to JavaScript in ${workDir}...`);
  const main = buildDepot(path.join(workDir, 'build'));
  const env: Record<string, string> = {
    DATA_DIR: path.join(workDir, 'depot'),
    BOOTSTRAP_PASSWORD: BENCH_PASSWORD,
    // The default level, as `npm start` runs; each change logs its phases at it.
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
  };

  // Seeding: the 50 MiB upload goes through its own server process (the upload path is not measured here).
  const seeding = await startDepot({
    main,
    env,
    name: 'seeding',
    logFile: path.join(workDir, 'seeding.log'),
  });
  servers.push(seeding);
  const seedingWatch = new RssWatch(seeding.pid);
  const app = await callDepot(
    seeding.baseUrl,
    'POST',
    '/application/applications',
    JSON.stringify({ name: 'bench-app', key: 'bench-app-key', type: 'HOSTED', contextPath: 'bench-app' }),
  );
  const appUrl = `/application/applications/${String(app.id)}`;
  await callDepot(seeding.baseUrl, 'POST', `${appUrl}/binaries`, zipForm(appZip, 'bench-app.zip'));
  const seedingPeak = seedingWatch.stop();
  await servers.pop()!.stop();

  const changesLog = path.join(workDir, 'changes.log');
  const depot = await startDepot({ main, env, logFile: changesLog });
  servers.push(depot);
  const watch = new RssWatch(depot.pid);
  const startedRss = rssMiB(depot.pid);
  console.log(
    `Depot pid ${depot.pid} (${databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'}, log in ${changesLog}); ` +
      `${ROUNDS} adds and ${ROUNDS} removes${CONTEND ? '; BENCH_CONTEND=1' : ''}`,
  );

  // Baseline: the archive copied through the storage driver, on the same disk as Depot's blobs.
  const driver = new FilesystemStorageDriver(path.join(workDir, 'copy-blobs'));
  await driver.write('bench/source', Readable.from([appZip]));
  let copies = 0;
  const copy = (): Promise<Run> =>
    timed(process.pid, async () => driver.write(`bench/copy-${copies++}`, await driver.read('bench/source')));
  const pluginUrl = `${appUrl}/binaries/plugins/bench-plugin`;
  const add = (): Promise<Run> =>
    timed(depot.pid, () => callDepot(depot.baseUrl, 'POST', pluginUrl, zipForm(pluginZip, 'p.zip')));
  const remove = (): Promise<Run> => timed(depot.pid, () => callDepot(depot.baseUrl, 'DELETE', pluginUrl));

  // Even rounds add the plugin, odd rounds remove it; each round's copy is its pair.
  const runs = await maybeContended(() =>
    alternate(2 * ROUNDS, { baseline: copy, depot: (round) => (round % 2 === 0 ? add() : remove()) }),
  );
  const ofRounds = (list: Run[], parity: number): Run[] => list.filter((_, round) => round % 2 === parity);
  changeRow('add', ofRounds(runs.baseline, 0), ofRounds(runs.depot, 0));
  changeRow('remove', ofRounds(runs.baseline, 1), ofRounds(runs.depot, 1));
  printRow({
    what: 'Depot peak RSS over the whole plugins benchmark (start-up and every change)',
    unit: 'MiB',
    depot: [watch.stop()],
    target: { atMost: 256 },
    note:
      `after start-up ${startedRss.toFixed(0)} MiB; CPU of Depot over the whole run ${cpuSeconds(depot.pid).toFixed(1)} s\n` +
      `(seeding: the first server's peak RSS with the 50 MiB upload, not a target here: ${seedingPeak.toFixed(0)} MiB)\n` +
      'server-side phases (from its log):\n' +
      readFileSync(changesLog, 'utf8')
        .split('\n')
        .filter((line) => line.includes('made archive'))
        .map((line) => `  ${messageOf(line).replace(/^.*Application \d+: /, '')}`)
        .join('\n'),
  });
  printSummary('plugins');
});
