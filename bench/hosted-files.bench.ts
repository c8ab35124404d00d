/**
 * `npm run bench:hosted`: hosted files (a 2 KiB `index.html` and a 200 KiB script, requested in
 * turn) served by Depot against `express.static` over the same two files
 * (bench/hosted-files-baseline-server.ts), with the method of bench/harness.ts: both servers compiled
 * to JavaScript in their own processes, wrk (2 threads, 32 connections, BENCH_SECONDS per run,
 * default 10) as the client with its own CPU measured, the two sides in turns for BENCH_PAIRS pairs
 * (default 3) after one warm-up run each, the median of per-pair req/s ratios, p99 of both, server
 * CPU per 1,000 requests and the peak RSS of both servers over the whole run. BENCH_CONTEND=1 keeps
 * one core busy meanwhile. Depot logs at the default level to a file in the work directory
 * (BENCH_LOG_LEVEL overrides it), on a fresh database of DATABASE_URL when set, else on an embedded
 * PostgreSQL in its DATA_DIR. The machine is shared: read the ratio, not absolute figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { zipOf } from '@depot/archive/testing/zip-of';
import {
  alternate,
  BENCH_AUTH,
  BENCH_PASSWORD,
  buildDepot,
  callDepot,
  CONTEND,
  maybeContended,
  median,
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

const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const CONTEXT_PATH = 'bench-hosted';

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

interface Side {
  server: ServedProcess;
  paths: string[];
  headers: Record<string, string>;
}

/** Fails unless every path of `side` serves the bytes of its file. */
async function checkServes(side: Side, files: Record<string, Buffer>): Promise<void> {
  for (const [index, content] of Object.values(files).entries()) {
    const url = `${side.server.baseUrl}${side.paths[index]}`;
    const response = await fetch(url, { headers: side.headers });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || !body.equals(content))
      throw new Error(`${url}: ${response.status}, not the file's ${content.length} bytes`);
  }
}

async function run(side: Side) {
  const { result, cpu } = await withCpu(side.server.pid, () =>
    wrk({
      url: side.server.baseUrl,
      paths: side.paths,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: side.headers,
    }),
  );
  return { ...result, cpu };
}

runBench('depot-bench-hosted-', async ({ workDir, databaseUrl, servers }) => {
  const files = benchFiles();
  const staticDir = path.join(workDir, 'static');
  mkdirSync(staticDir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(staticDir, name), content);
  console.log(`Compiling Depot and the baseline to JavaScript in ${workDir}...`);
  const main = buildDepot(path.join(workDir, 'build'));
  const baselineScript = transpileScript(
    path.join(REPO_ROOT, 'bench', 'hosted-files-baseline-server.ts'),
    path.join(workDir, 'build', 'bench'),
  );
  const depotServer = await startDepot({
    main,
    env: {
      DATA_DIR: path.join(workDir, 'depot'),
      BOOTSTRAP_PASSWORD: BENCH_PASSWORD,
      // The default level, as `npm start` runs.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    logFile: path.join(workDir, 'depot.log'),
  });
  servers.push(depotServer);
  const baselineServer = await startNodeServer('express.static', baselineScript, [staticDir]);
  servers.push(baselineServer);
  const watches = { baseline: new RssWatch(baselineServer.pid), depot: new RssWatch(depotServer.pid) };
  console.log(
    `Depot pid ${depotServer.pid} (${databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'}, log in ${workDir}/depot.log); ` +
      `express.static pid ${baselineServer.pid}; ${PAIRS} pairs of ${SECONDS} s, ${CONNECTIONS} connections${CONTEND ? '; BENCH_CONTEND=1' : ''}`,
  );

  const app = await callDepot<{ id: string }>(
    depotServer.baseUrl,
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
  await callDepot(depotServer.baseUrl, 'POST', `/application/applications/${app.id}/binaries`, form);
  const sides: Record<'baseline' | 'depot', Side> = {
    baseline: {
      server: baselineServer,
      paths: Object.keys(files).map((name) => `/static/${name}`),
      headers: {},
    },
    depot: {
      server: depotServer,
      paths: Object.keys(files).map((name) => `/apps/${CONTEXT_PATH}/${name}`),
      headers: { Authorization: BENCH_AUTH },
    },
  };
  for (const side of Object.values(sides)) await checkServes(side, files);

  const runs = await maybeContended(async () => {
    // Not measured: JIT, the extraction cache, keep-alive pools.
    for (const side of Object.values(sides)) await run(side);
    return alternate(PAIRS, { baseline: () => run(sides.baseline), depot: () => run(sides.depot) });
  });
  const cpuPerThousand = (name: keyof typeof runs): string =>
    (
      (runs[name].reduce((sum, r) => sum + r.cpu, 0) / runs[name].reduce((sum, r) => sum + r.requests, 0)) *
      1000
    ).toFixed(3);
  const note = (name: keyof typeof runs): string =>
    `${name}: ${cpuPerThousand(name)} CPU-s per 1,000 requests; wrk CPU ${median(runs[name].map((r) => r.clientCpu / r.durationSeconds)).toFixed(2)} cores; ` +
    `errors ${runs[name].reduce((sum, r) => sum + r.errors, 0)}`;
  const what = `hosted files (2 KiB index.html + 200 KiB script), ${CONNECTIONS} connections`;
  printRow({
    what: `${what}, req/s vs express.static`,
    unit: 'req/s',
    baseline: runs.baseline.map((r) => r.requestsPerSecond),
    depot: runs.depot.map((r) => r.requestsPerSecond),
    target: { atLeast: 0.7 },
    note: `${note('baseline')}\n${note('depot')}`,
  });
  printRow({
    what: `${what}, p99`,
    unit: 'ms',
    baseline: runs.baseline.map((r) => r.p99Ms),
    depot: runs.depot.map((r) => r.p99Ms),
    target: { atMost: 50 },
    targetOn: 'depot',
  });
  printRow({
    what: 'peak RSS over the whole hosted-files benchmark',
    unit: 'MiB',
    baseline: [watches.baseline.stop()],
    depot: [watches.depot.stop()],
  });
  printSummary('hosted files');
});
