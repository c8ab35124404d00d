/**
 * `npm run bench:hosted`: hosted files (a 2 KiB `index.html` and a 200 KiB script, requested in
 * turn) from a real Depot process, against `express.static` serving the same two files from disk, in
 * the method of issue 15: `wrk` is the client (`-t2 -c32`, BENCH_SECONDS each run, default 10),
 * baseline and Depot alternate run by run (A B A B, BENCH_PAIRS pairs, default 3), and the figure is
 * the median of the per-pair req/s ratios; p99 comes from wrk's `--latency` output; CPU seconds per
 * 1,000 requests and peak RSS are read from /proc for both servers. BENCH_CONTEND=1 adds a process
 * that keeps one core busy throughout. Depot runs as `npm start` would (default log level, logs to
 * /dev/null as a log collector would take them), on the DATABASE_URL server when set (a fresh
 * database), else on an embedded PostgreSQL in a temp DATA_DIR.
 *
 * It starts its servers itself; the REST call, credentials and BENCH_CONTEND come from harness.ts.
 * The machine is shared, so compare the ratio, not absolute figures across runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { zipOf } from '@depot/archive/testing/zip-of';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database';
import { BENCH_AUTH, BENCH_PASSWORD, callDepot, CONTEND, REPO_ROOT } from './harness';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const CONTEXT_PATH = 'bench-hosted';
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;

/** A 2 KiB page and a 200 KiB script of text that looks like minified code. */
function benchFiles(): Record<string, Buffer> {
  const page = `<!doctype html><html><head><script src="main.js"></script></head><body>${'<p>bench</p>'.repeat(160)}</body></html>`;
  return {
    'index.html': Buffer.from(page.padEnd(2048, ' ').slice(0, 2048)),
    'main.js': Buffer.from(
      randomBytes(150 * 1024)
        .toString('base64')
        .slice(0, 200 * 1024),
    ),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string, headers: Record<string, string>, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 120 s`);
    try {
      if ((await fetch(url, { headers })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** user + system CPU seconds of `pid` (all threads), from /proc (100 Hz ticks). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

interface WrkResult {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
  errors: number;
  cpuSeconds: number;
}

/** wrk's latency figures ("12.34ms", "1.2s", "850.00us") in milliseconds. */
function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return NaN;
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

function runWrk(baseUrl: string, paths: string[], script: string, serverPid: number): WrkResult {
  const before = cpuSeconds(serverPid);
  const result = spawnSync(
    'wrk',
    [
      '-t2',
      `-c${CONNECTIONS}`,
      `-d${SECONDS}s`,
      '--latency',
      '-H',
      `Authorization: ${BENCH_AUTH}`,
      '-s',
      script,
      baseUrl,
      '--',
      ...paths,
    ],
    { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 },
  );
  const out = result.stdout ?? '';
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}\n${out}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!rps || !p99 || !total) throw new Error(`cannot read wrk's output:\n${out}`);
  return {
    requestsPerSecond: Number(rps[1]),
    p99Ms: toMs(p99[1]),
    requests: Number(total[1]),
    errors:
      Number(non2xx?.[1] ?? 0) +
      (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    cpuSeconds: cpuSeconds(serverPid) - before,
  };
}

/** Requests the given paths in turn, one list per connection (args after `--`). */
const WRK_SCRIPT = `
local paths = {}
local i = 0
init = function(args)
  for _, p in ipairs(args) do paths[#paths + 1] = p end
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
`;

/** express.static over a directory, the baseline (plain Express 5 from node_modules). */
const BASELINE_SERVER = `
const express = require('express');
const app = express();
app.disable('x-powered-by');
app.use('/static', express.static(process.argv[1]));
app.listen(Number(process.argv[2]), '127.0.0.1');
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function setUpDepot(
  dataDir: string,
  databaseUrl: string,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    BOOTSTRAP_PASSWORD: BENCH_PASSWORD,
  };
  // The default log level, as `npm start` runs; BENCH_LOG_LEVEL overrides it for experiments.
  delete env.LOG_LEVEL;
  if (process.env.BENCH_LOG_LEVEL) env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/server/src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${baseUrl}/health`, {}, child);
  return { child, baseUrl };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'depot-bench-hosted-'));
  // mkdtemp makes it 0700; as root, embedded PostgreSQL runs initdb as another user who must reach DATA_DIR.
  await chmod(work, 0o755);
  const files = benchFiles();
  const staticDir = path.join(work, 'static');
  mkdirSync(staticDir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(staticDir, name), content);
  const script = path.join(work, 'paths.lua');
  writeFileSync(script, WRK_SCRIPT);
  const databaseUrl = process.env.DATABASE_URL ? await createTestDatabase() : '';
  const children: ChildProcess[] = [];
  try {
    const depot = await setUpDepot(path.join(work, 'data'), databaseUrl);
    children.push(depot.child);
    const app = await callDepot<{ id: string }>(
      depot.baseUrl,
      'POST',
      '/application/applications',
      JSON.stringify({
        name: CONTEXT_PATH,
        key: `${CONTEXT_PATH}-key`,
        type: 'HOSTED',
        contextPath: CONTEXT_PATH,
      }),
    );
    const form = new FormData();
    form.append('file', new Blob([zipOf(files)], { type: 'application/zip' }), 'bench.zip');
    await callDepot(depot.baseUrl, 'POST', `/application/applications/${app.id}/binaries`, form);
    const depotPaths = Object.keys(files).map((name) => `/apps/${CONTEXT_PATH}/${name}`);

    const baselinePort = await freePort();
    const baseline = spawn(process.execPath, ['-e', BASELINE_SERVER, staticDir, String(baselinePort)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(baseline);
    const baselineUrl = `http://127.0.0.1:${baselinePort}`;
    const baselinePaths = Object.keys(files).map((name) => `/static/${name}`);
    await waitFor(`${baselineUrl}${baselinePaths[0]}`, {}, baseline);
    await waitFor(`${depot.baseUrl}${depotPaths[0]}`, { Authorization: BENCH_AUTH }, depot.child);
    for (const [url, pathsToCheck] of [
      [baselineUrl, baselinePaths],
      [depot.baseUrl, depotPaths],
    ] as const) {
      for (const [index, name] of Object.keys(files).entries()) {
        const body = Buffer.from(
          await (
            await fetch(`${url}${pathsToCheck[index]}`, { headers: { Authorization: BENCH_AUTH } })
          ).arrayBuffer(),
        );
        if (!body.equals(files[name])) throw new Error(`${url}${pathsToCheck[index]} does not serve ${name}`);
      }
    }

    if (CONTEND) {
      const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
      children.push(hog);
    }
    // Warm-up: JIT, the extraction cache, keep-alive pools.
    runWrk(baselineUrl, baselinePaths, script, baseline.pid!);
    runWrk(depot.baseUrl, depotPaths, script, depot.child.pid!);

    const pairs: { baseline: WrkResult; depot: WrkResult }[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const base = runWrk(baselineUrl, baselinePaths, script, baseline.pid!);
      const ours = runWrk(depot.baseUrl, depotPaths, script, depot.child.pid!);
      pairs.push({ baseline: base, depot: ours });
      console.log(
        `pair ${pair + 1}: express.static ${base.requestsPerSecond.toFixed(0)} req/s p99 ${base.p99Ms.toFixed(1)} ms` +
          ` | Depot ${ours.requestsPerSecond.toFixed(0)} req/s p99 ${ours.p99Ms.toFixed(1)} ms` +
          ` | ratio ${(ours.requestsPerSecond / base.requestsPerSecond).toFixed(2)}` +
          (ours.errors + base.errors > 0 ? ` | errors ${base.errors}/${ours.errors}` : ''),
      );
    }
    const ratio = median(pairs.map((p) => p.depot.requestsPerSecond / p.baseline.requestsPerSecond));
    const cpuPerK = (results: WrkResult[]) =>
      (results.reduce((sum, r) => sum + r.cpuSeconds, 0) / results.reduce((sum, r) => sum + r.requests, 0)) *
      1000;
    const base = pairs.map((p) => p.baseline);
    const ours = pairs.map((p) => p.depot);
    console.log(
      [
        '',
        `hosted files (2 KiB index.html + 200 KiB script, ${CONNECTIONS} connections, ${PAIRS} pairs of ${SECONDS} s${CONTEND ? ', one core hogged' : ''})`,
        `  express.static: median ${median(base.map((r) => r.requestsPerSecond)).toFixed(0)} req/s, p99 median ${median(base.map((r) => r.p99Ms)).toFixed(1)} ms, ${cpuPerK(base).toFixed(3)} CPU-s per 1,000 requests, peak RSS ${peakRssMiB(baseline.pid!).toFixed(0)} MiB`,
        `  Depot:          median ${median(ours.map((r) => r.requestsPerSecond)).toFixed(0)} req/s, p99 median ${median(ours.map((r) => r.p99Ms)).toFixed(1)} ms, ${cpuPerK(ours).toFixed(3)} CPU-s per 1,000 requests, peak RSS ${peakRssMiB(depot.child.pid!).toFixed(0)} MiB`,
        `  ratio (median of per-pair ratios): ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}); Depot p99 ${median(ours.map((r) => r.p99Ms)).toFixed(1)} ms (target <= ${TARGET_P99_MS} ms)`,
      ].join('\n'),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null
          ? Promise.resolve()
          : new Promise<void>((resolve) => child.once('exit', () => resolve())),
      ),
    );
    if (databaseUrl) await dropTestDatabase(databaseUrl).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
