/**
 * `npm run bench`: the binaries rows of docs/performance.md, Depot against plain Node.js baselines
 * (bench/binaries-baseline-server.ts) with the method of bench/harness.ts: servers in their own
 * processes, runs in turns, the median of per-pair ratios, server CPU per GiB or per request, the
 * client's own CPU, Depot's peak RSS over the whole benchmark. `BENCH_CONTEND=1` runs every row
 * with a CPU hog on one core; the download row also runs under the hog in any case.
 *
 * BENCH_ROWS (default small,large,download,list) picks rows; BENCH_ROUNDS (default 3) pairs per row, BENCH_SIZE_MIB (default 512) for the large upload and
 * download, BENCH_SMALL_SECONDS (default 6) per wrk run, BENCH_LIST_ROWS (default
 * 10000,100000,1000000) binaries seeded by SQL for the list row (needs DATABASE_URL; a throwaway
 * database on that server), BENCH_DIR (default the OS temp dir) for the servers' data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { withSessionDefaults } from '@depot/database/with-session-defaults';
import { basicAuth } from '../test/support/test-app';
import {
  alternate,
  buildDepot,
  CONTEND,
  cpuSeconds,
  cpuSecondsPerGiB,
  curlDownload,
  curlUpload,
  GiB,
  maybeContended,
  median,
  MiB,
  printRow,
  printSummary,
  REPO_ROOT,
  RssWatch,
  startDepot,
  startNodeServer,
  transpileScript,
  withCpu,
  wrk,
  type ServedProcess,
  runBench,
} from './harness';

interface SqlClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
// pg ships no typings; this is the part used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => SqlClient };

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 512) * MiB;
const SMALL_SECONDS = Number(process.env.BENCH_SMALL_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ROWS = new Set((process.env.BENCH_ROWS ?? 'small,large,download,list').split(','));
const LIST_ROWS = (process.env.BENCH_LIST_ROWS ?? '10000,100000,1000000').split(',').map(Number);
const BOUNDARY = 'depot-bench-boundary';
const PASSWORD = 'bench-password-1';
const AUTH = { authorization: basicAuth('management', 'admin', PASSWORD) };

const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** MD5 and SHA-256 over `bytes` in 1 MiB chunks on this thread: the CPU floor of a metered upload. */
function hashSecondsPerGiB(bytes = 512 * MiB): number {
  const chunk = randomBytes(MiB);
  const before = process.cpuUsage();
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for (let done = 0; done < bytes; done += chunk.length) {
    md5.update(chunk);
    sha256.update(chunk);
  }
  md5.digest();
  sha256.digest();
  const used = process.cpuUsage(before);
  return cpuSecondsPerGiB((used.user + used.system) / 1e6, bytes);
}

/** A file of `size` random bytes (16 MiB of randomness repeated). */
async function writeRandomFile(file: string, size: number): Promise<void> {
  const block = randomBytes(16 * MiB);
  const out = createWriteStream(file);
  for (let written = 0; written < size; written += block.length) {
    const part = block.subarray(0, Math.min(block.length, size - written));
    if (!out.write(part)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The 10 KiB multipart body wrk sends: the `object` part, then the `file` part. */
function smallUploadBody(file: string): void {
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="object"\r\n\r\n{"name":"small.bin","type":"bench_small"}\r\n` +
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="small.bin"\r\n` +
          `Content-Type: application/octet-stream\r\n\r\n`,
      ),
      randomBytes(10 * 1024),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]),
  );
}

interface Side {
  server: ServedProcess;
  uploadUrl: string;
  headers: Record<string, string>;
  downloadUrl(id: string): string;
}

async function smallUploads(
  sides: Record<'baseline' | 'durable' | 'depot', Side>,
  bodyFile: string,
): Promise<void> {
  // Not measured: each server's JIT, pools and the store's first fan-out directories warm up first.
  for (const side of [sides.baseline, sides.durable, sides.depot])
    await smallRun(side, bodyFile, WARMUP_SECONDS);
  const runs = await alternate(ROUNDS, {
    baseline: () => smallRun(sides.baseline, bodyFile),
    durable: () => smallRun(sides.durable, bodyFile),
    depot: () => smallRun(sides.depot, bodyFile),
  });
  const note = (name: keyof typeof runs): string => {
    const r = runs[name];
    return (
      `${name}: p99 ${r.map((x) => fmt(x.p99Ms, 1)).join(' ')} ms; server CPU ${fmt(median(r.map((x) => (x.cpu * 1000) / x.requests)))} ms/request; ` +
      `wrk CPU ${fmt(median(r.map((x) => x.clientCpu / x.durationSeconds)))} cores; errors ${r.reduce((sum, x) => sum + x.errors, 0)}`
    );
  };
  const notes = [note('baseline'), note('durable'), note('depot')].join('\n');
  printRow({
    what: '10 KiB uploads, 16 connections, req/s vs busboy -> file',
    unit: 'req/s',
    baseline: runs.baseline.map((r) => r.requestsPerSecond),
    depot: runs.depot.map((r) => r.requestsPerSecond),
    target: { atLeast: 0.25 },
    note: notes,
  });
  printRow({
    what: '10 KiB uploads, 16 connections, req/s vs busboy -> file + fsync',
    unit: 'req/s',
    baseline: runs.durable.map((r) => r.requestsPerSecond),
    depot: runs.depot.map((r) => r.requestsPerSecond),
  });
  printRow({
    what: '10 KiB uploads, 16 connections, Depot p99',
    unit: 'ms',
    depot: runs.depot.map((r) => r.p99Ms),
    target: { atMost: 50 },
  });
}

async function smallRun(side: Side, bodyFile: string, seconds = SMALL_SECONDS) {
  const { result, cpu } = await withCpu(side.server.pid, () =>
    wrk({
      url: side.uploadUrl,
      connections: 16,
      seconds,
      method: 'POST',
      bodyFile,
      headers: {
        ...side.headers,
        accept: 'application/json',
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
    }),
  );
  return { ...result, cpu };
}

async function largeUploads(
  sides: Record<'baseline' | 'durable' | 'depot', Side>,
  sourceFile: string,
  answerFile: string,
  hashFloor: number,
): Promise<Record<'baseline' | 'depot', string>> {
  const run = async (side: Side) => {
    const { result, cpu } = await withCpu(side.server.pid, () =>
      curlUpload(
        side.uploadUrl,
        [
          'object={"name":"large.bin","type":"bench_large"};type=application/json',
          `file=@${sourceFile};type=application/octet-stream`,
        ],
        answerFile,
        { ...side.headers, accept: 'application/json' },
      ),
    );
    if (result.status !== 201) throw new Error(`${side.server.name} upload: ${result.status} ${result.body}`);
    return { ...result, cpu, id: (JSON.parse(result.body!) as { id: string }).id };
  };
  const runs = await alternate(ROUNDS, {
    baseline: () => run(sides.baseline),
    durable: () => run(sides.durable),
    depot: () => run(sides.depot),
  });
  const perGiB = (name: keyof typeof runs) => runs[name].map((r) => cpuSecondsPerGiB(r.cpu, SIZE));
  const clientPerGiB = (name: keyof typeof runs) =>
    fmt(median(runs[name].map((r) => cpuSecondsPerGiB(r.clientCpu, SIZE))));
  const label = SIZE >= GiB ? `${SIZE / GiB} GiB` : `${SIZE / MiB} MiB`;
  const cpuNote =
    `server CPU-s/GiB: baseline ${fmt(median(perGiB('baseline')))}, durable ${fmt(median(perGiB('durable')))}, depot ${fmt(median(perGiB('depot')))}; ` +
    `MD5 + SHA-256 alone ${fmt(hashFloor)} CPU-s/GiB on one thread\n` +
    `curl CPU-s/GiB: baseline ${clientPerGiB('baseline')}, durable ${clientPerGiB('durable')}, depot ${clientPerGiB('depot')}`;
  printRow({
    what: `${label} multipart upload (MD5 + SHA-256) vs busboy -> file`,
    unit: 'MB/s',
    baseline: runs.baseline.map((r) => r.speed / 1e6),
    depot: runs.depot.map((r) => r.speed / 1e6),
    target: { atLeast: 0.6 },
    note: cpuNote,
  });
  printRow({
    what: `${label} multipart upload vs busboy -> file + fsync`,
    unit: 'MB/s',
    baseline: runs.durable.map((r) => r.speed / 1e6),
    depot: runs.depot.map((r) => r.speed / 1e6),
  });
  printRow({
    what: `${label} upload CPU-s/GiB vs (busboy -> file + MD5 + SHA-256)`,
    unit: 'CPU-s/GiB',
    baseline: perGiB('baseline').map((value) => value + hashFloor),
    depot: perGiB('depot'),
    target: { atMost: 1.15 },
  });
  return { baseline: runs.baseline.at(-1)!.id, depot: runs.depot.at(-1)!.id };
}

async function downloads(
  sides: Record<'baseline' | 'depot', Side>,
  ids: Record<'baseline' | 'depot', string>,
  contended: boolean,
): Promise<void> {
  const run = async (side: Side, id: string) => {
    const { result, cpu } = await withCpu(side.server.pid, () =>
      curlDownload(side.downloadUrl(id), side.headers),
    );
    if (result.status !== 200 || result.bytes !== SIZE)
      throw new Error(`${side.server.name} download: ${result.status}, ${result.bytes} of ${SIZE} bytes`);
    return { ...result, cpu };
  };
  const runs = await maybeContended(
    () =>
      alternate(ROUNDS, {
        baseline: () => run(sides.baseline, ids.baseline),
        depot: () => run(sides.depot, ids.depot),
      }),
    contended,
  );
  const perGiB = (name: keyof typeof runs, of: 'cpu' | 'clientCpu') =>
    fmt(median(runs[name].map((r) => cpuSecondsPerGiB(r[of], SIZE))));
  printRow({
    what: `${SIZE / MiB} MiB download vs fs.createReadStream (1 MiB) -> response${contended && !CONTEND ? ' [CPU hog on one core]' : ''}`,
    unit: 'MB/s',
    baseline: runs.baseline.map((r) => r.speed / 1e6),
    depot: runs.depot.map((r) => r.speed / 1e6),
    target: { atLeast: 0.95 },
    note: `server CPU-s/GiB: baseline ${perGiB('baseline', 'cpu')}, depot ${perGiB('depot', 'cpu')}; curl CPU-s/GiB: baseline ${perGiB('baseline', 'clientCpu')}, depot ${perGiB('depot', 'clientCpu')}`,
  });
}

const LIST_TYPES = 10;
const RARE_EVERY = 10_000;

async function listRows(depot: Side, databaseUrl: string): Promise<void> {
  // Depot's own session settings, so the plans EXPLAIN prints are the ones Depot's queries get.
  const db = new Client({ connectionString: withSessionDefaults(databaseUrl) });
  await db.connect();
  try {
    const { rows } = await db.query<{ tenant_id: string; owner: string }>(
      `SELECT tenant_id, owner FROM managed_objects WHERE storage_key IS NOT NULL LIMIT 1`,
    );
    const { tenant_id: tenant, owner } = rows[0];
    const sql =
      `SELECT mo.* FROM managed_objects mo WHERE mo.tenant_id = $1 AND mo.storage_key IS NOT NULL ` +
      `AND mo.type = $2 ORDER BY mo.id ASC LIMIT 100 OFFSET 0`;
    let seeded = 0;
    // Without the usage trigger (one upsert per row made a million rows take many minutes); the
    // tenant's usage is added once below, as the trigger would have.
    await db.query(`SET session_replication_role = replica`);
    for (const total of LIST_ROWS) {
      // Rows by SQL, as the upload path would leave them (a blob key each, ten types in turn, and
      // one row in RARE_EVERY of a rare type).
      await db.query(
        `INSERT INTO managed_objects (tenant_id, owner, name, type, creation_time, last_updated, storage_key, length, content_type, md5, sha256, revpos)
         SELECT $1, $2, 'seed-' || g,
                CASE WHEN g % ${RARE_EVERY} = 0 THEN 'bench_list_rare' ELSE 'bench_list_' || (g % ${LIST_TYPES}) END,
                now(), now(), $5::text || g, 1024, 'application/octet-stream', repeat('0', 32), repeat('0', 64), 1
         FROM generate_series($3::int, $4::int) AS g`,
        [tenant, owner, seeded + 1, total, `${tenant}/bench-seed-`],
      );
      await db.query(`UPDATE tenant_storage SET used_bytes = used_bytes + $2 WHERE tenant_id = $1`, [
        tenant,
        (total - seeded) * 1024,
      ]);
      seeded = total;
      await db.query('ANALYZE managed_objects');
      for (const [type, share] of [
        ['bench_list_3', `1 in ${LIST_TYPES}`],
        ['bench_list_rare', `1 in ${RARE_EVERY.toLocaleString('en')}`],
      ] as const) {
        const url = `${depot.server.baseUrl}/inventory/binaries?pageSize=100&type=${type}`;
        const expected = Math.min(100, type === 'bench_list_rare' ? Math.floor(total / RARE_EVERY) : total);
        const check = await fetch(url, { headers: { ...AUTH, accept: 'application/json' } });
        const page = (await check.json()) as { managedObjects?: unknown[] };
        if (check.status !== 200 || (page.managedObjects?.length ?? 0) < Math.min(expected, 1))
          throw new Error(`list: ${check.status}, ${page.managedObjects?.length} objects`);
        const runs: { p99Ms: number; requestsPerSecond: number }[] = [];
        for (let round = 0; round < ROUNDS; round++)
          runs.push(
            await wrk({ url, connections: 4, seconds: 3, headers: { ...AUTH, accept: 'application/json' } }),
          );
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
          tenant,
          type,
        ]);
        printRow({
          what: `binaries list pageSize=100&type (${share}), ${total.toLocaleString('en')} rows, p99 at 4 connections`,
          unit: 'ms',
          depot: runs.map((r) => r.p99Ms),
          target: { atMost: 20 },
          note:
            `${fmt(median(runs.map((r) => r.requestsPerSecond)), 0)} req/s, ${page.managedObjects?.length} objects per page\n` +
            `EXPLAIN (ANALYZE, BUFFERS) ${sql}\n` +
            plan.rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n'),
        });
      }
    }
  } finally {
    await db.end();
  }
}

runBench('depot-bench-', async ({ workDir, databaseUrl, servers }) => {
  const env: Record<string, string> = {
    DATA_DIR: path.join(workDir, 'depot'),
    BOOTSTRAP_TENANT: 'management',
    BOOTSTRAP_USER: 'admin',
    BOOTSTRAP_PASSWORD: PASSWORD,
    MAX_BINARY_SIZE: String(Math.max(SIZE, MiB) * 2),
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const baselineDir = path.join(workDir, 'baseline');
  mkdirSync(baselineDir, { recursive: true });
  console.log(`Compiling Depot and the baseline to JavaScript in ${workDir}...`);
  const main = buildDepot(path.join(workDir, 'build'));
  const baselineScript = transpileScript(
    path.join(REPO_ROOT, 'bench', 'binaries-baseline-server.ts'),
    path.join(workDir, 'build', 'bench'),
  );
  const depotServer = await startDepot({ main, env, logFile: path.join(workDir, 'depot.log') });
  servers.push(depotServer);
  const baselineServer = await startNodeServer('baseline', baselineScript, [baselineDir]);
  servers.push(baselineServer);
  console.log(
    `Depot pid ${depotServer.pid} (${databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'}, filesystem driver, default LOG_LEVEL, log in ${workDir}/depot.log); ` +
      `baseline pid ${baselineServer.pid}; ${ROUNDS} pairs per row${CONTEND ? '; BENCH_CONTEND=1' : ''}`,
  );
  const watch = new RssWatch(depotServer.pid);
  const depot: Side = {
    server: depotServer,
    uploadUrl: `${depotServer.baseUrl}/inventory/binaries`,
    headers: AUTH,
    downloadUrl: (id) => `${depotServer.baseUrl}/inventory/binaries/${id}`,
  };
  const plain: Side = {
    server: baselineServer,
    uploadUrl: `${baselineServer.baseUrl}/upload`,
    headers: {},
    downloadUrl: (id) => `${baselineServer.baseUrl}/download/${id}`,
  };
  const durable: Side = {
    ...plain,
    server: { ...baselineServer, name: 'durable' },
    uploadUrl: `${plain.uploadUrl}?durable=1`,
  };
  const sides = { baseline: plain, durable, depot };

  const smallBody = path.join(workDir, 'small-upload.body');
  smallUploadBody(smallBody);
  const source = path.join(workDir, 'large-upload.bin');
  if (ROWS.has('large') || ROWS.has('download')) await writeRandomFile(source, SIZE);
  const answer = path.join(workDir, 'answer.json');

  await maybeContended(async () => {
    const hashFloor = hashSecondsPerGiB();
    // Warm-up: JIT, pools, the first blob directories.
    for (const side of Object.values(sides)) {
      await wrk({
        url: side.uploadUrl,
        connections: 4,
        seconds: 1,
        method: 'POST',
        bodyFile: smallBody,
        headers: { ...side.headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      });
    }
    const rssSoFar = (): void => console.log(`  (Depot peak RSS so far: ${fmt(watch.peak(), 1)} MiB)`);
    if (ROWS.has('small')) await smallUploads(sides, smallBody);
    rssSoFar();
    if (ROWS.has('large') || ROWS.has('download')) {
      const ids = await largeUploads(sides, source, answer, hashFloor);
      rssSoFar();
      if (ROWS.has('download')) {
        await downloads({ baseline: plain, depot }, ids, CONTEND);
        if (!CONTEND) await downloads({ baseline: plain, depot }, ids, true);
        rssSoFar();
      }
    }
    if (!ROWS.has('list')) return;
    if (databaseUrl) await listRows(depot, databaseUrl);
    else console.log('\n(binaries list rows skipped: they seed rows by SQL and need DATABASE_URL)');
  });
  printRow({
    what: 'Depot peak RSS over the whole binaries benchmark',
    unit: 'MiB',
    depot: [watch.stop()],
    target: { atMost: 200 },
    note: `CPU of Depot over the whole run: ${fmt(cpuSeconds(depotServer.pid), 1)} s`,
  });
  printSummary('binaries');
});
