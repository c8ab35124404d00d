/**
 * The benchmark harness every `bench/*.bench.ts` shares: servers as child processes (Depot compiled
 * to JavaScript, plain Node.js baselines), runs in turns (A B A B ...), the median of per-pair ratios,
 * CPU seconds of the serving process per run, its peak RSS over the whole benchmark, a CPU hog for
 * `BENCH_CONTEND=1`, external clients (curl, wrk) whose own CPU is measured, and the result rows
 * printed as baseline, Depot, ratio, target, met.
 *
 * Typical use (see binaries.bench.ts):
 *   const depot = await startDepot({ workDir, env });           // ServedProcess
 *   const base = await startNodeServer('baseline', script, [dir]);
 *   const pairs = await alternate(3, { baseline: () => run(base), depot: () => run(depot) });
 *   printRow({ what, unit, baseline: pairs.baseline.map(r => r.value), depot: ..., target });
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import {
  childCpuSecondsOfTimes,
  cpuSecondsOfStat,
  median,
  medianPairRatio,
  meets,
  parseWrkResult,
  statusFieldMiB,
  type WrkResult,
} from './bench-stats';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database';

export * from './bench-stats';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The Node.js options `npm start` runs the server with (package.json's `start` script), so the benchmark runs the same. */
export function startScriptNodeArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const command = /\bnode((?: --\S+)*) dist\//.exec(scripts.start);
  if (!command) throw new Error(`package.json's start script does not run node on dist/: ${scripts.start}`);
  return command[1].trim().split(' ').filter(Boolean);
}
/** Node's module resolution for files built outside the repository. */
const NODE_PATH = path.join(REPO_ROOT, 'node_modules');

// ---------------------------------------------------------------------------------------------
// /proc readings of a serving process (the parsing is in bench-stats.ts)

/** Peak resident set of `pid` in MiB since its start (VmHWM). */
export function peakRssMiB(pid: number): number {
  return statusFieldMiB(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
}

/** Current resident set of `pid` in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  return statusFieldMiB(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
}

/** CPU seconds (user + system, all threads) `pid` has used so far; clock ticks are 100 Hz on Linux. */
export function cpuSeconds(pid: number): number {
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * Samples VmRSS every `intervalMs` for as long as it runs; `peak()` is the larger of the highest
 * sample and VmHWM (which the kernel keeps since the start), so a spike between samples still counts.
 */
export class RssWatch {
  private highest = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly pid: number,
    intervalMs = 20,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  private sample(): void {
    try {
      this.highest = Math.max(this.highest, rssMiB(this.pid));
    } catch {
      // the process ended
    }
  }
  peak(): number {
    this.sample();
    let hwm = 0;
    try {
      hwm = peakRssMiB(this.pid);
    } catch {
      // the process ended
    }
    return Math.max(this.highest, hwm);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak();
  }
}

/** Runs `work` and returns its result with the CPU seconds `pid` spent meanwhile. */
export async function withCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const before = cpuSeconds(pid);
  const result = await work();
  return { result, cpu: cpuSeconds(pid) - before };
}

// ---------------------------------------------------------------------------------------------
// Servers

export interface ServedProcess {
  name: string;
  pid: number;
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
}

/**
 * Compiles the server to plain JavaScript (tsc + tsc-alias into `outDir`), so the measured process
 * carries no TypeScript loader: RSS and start-up are what `npm start` runs. `BENCH_DEPOT_MAIN` names
 * an existing build (e.g. `dist/apps/server/src/main.js`) instead.
 */
export function buildDepot(outDir: string): string {
  if (process.env.BENCH_DEPOT_MAIN) return path.resolve(process.env.BENCH_DEPOT_MAIN);
  const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules', '.bin', name);
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    // Type errors still emit JavaScript; only a missing entry point is fatal (at start).
    console.warn(
      `tsc reported problems: ${String((error as { stdout?: Buffer }).stdout ?? error).slice(0, 500)}`,
    );
  }
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  // As `npm run build` does: the console's static files live beside its compiled code.
  cpSync(path.join(REPO_ROOT, 'libs', 'console', 'web'), path.join(outDir, 'libs', 'console', 'web'), {
    recursive: true,
  });
  return path.join(outDir, 'apps', 'server', 'src', 'main.js');
}

/** Transpiles one self-contained TypeScript file of bench/ (a baseline server) to JavaScript in `outDir`. */
export function transpileScript(source: string, outDir: string): string {
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${path.basename(source, '.ts')}.js`);
  writeFileSync(file, outputText);
  return file;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts Depot from `main` (see `buildDepot`) on a free loopback port with `env` added to this
 * process's environment; its log goes to `logFile`. Resolves when `/health` answers 200.
 */
export async function startDepot(options: {
  main: string;
  env: Record<string, string>;
  logFile: string;
  name?: string;
  /** Node options before the script, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}): Promise<ServedProcess> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const nodeArgs = [...startScriptNodeArgs(), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, options.main], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_PATH, HOST: '127.0.0.1', ...options.env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `Depot exited during start-up (${options.logFile}):\n${readFileSync(options.logFile, 'utf8').slice(-2000)}`,
      );
    const healthy = await fetch(`${baseUrl}/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (healthy)
      return { name: options.name ?? 'depot', pid: child.pid!, baseUrl, child, stop: stopper(child) };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('Depot did not become healthy');
}

/** Starts a plain Node.js server script that prints `LISTENING <port>` once it listens. */
export async function startNodeServer(name: string, script: string, args: string[]): Promise<ServedProcess> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_PATH },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout) {
    output += (chunk as Buffer).toString();
    const match = /LISTENING (\d+)/.exec(output);
    if (match) {
      child.stdout.resume();
      return { name, pid: child.pid!, baseUrl: `http://127.0.0.1:${match[1]}`, child, stop: stopper(child) };
    }
  }
  throw new Error(`${name} exited before listening`);
}

// ---------------------------------------------------------------------------------------------
// Depot's REST API

/** The bootstrap admin's password a bench gives Depot (BOOTSTRAP_PASSWORD). */
export const BENCH_PASSWORD = 'bench-admin-pw';
/** That admin's Basic `Authorization` header (`management/admin`). */
export const BENCH_AUTH = `Basic ${Buffer.from(`management/admin:${BENCH_PASSWORD}`).toString('base64')}`;

/**
 * One call to Depot's REST API as the bench admin: a string body goes as JSON, a `FormData` as
 * multipart; resolves with the parsed answer (`{}` for none) and throws on a status of 300 or more.
 */
export async function callDepot<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  url: string,
  body?: FormData | string,
): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      Authorization: BENCH_AUTH,
      Accept: 'application/json',
      ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}),
    },
    body,
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

// ---------------------------------------------------------------------------------------------
// Contention

/** Whether this run puts a CPU hog on one core (`BENCH_CONTEND=1`). */
export const CONTEND = process.env.BENCH_CONTEND === '1';

/** A child process spinning one core until `stop`. */
export async function startCpuHog(): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("SPINNING\\n"); for (;;) {}'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return { pid: child.pid!, stop: stopper(child) };
}

/** Runs `work` with a CPU hog when `contended` (default: `BENCH_CONTEND=1`). */
export async function maybeContended<T>(work: () => Promise<T>, contended = CONTEND): Promise<T> {
  if (!contended) return work();
  const hog = await startCpuHog();
  try {
    return await work();
  } finally {
    await hog.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Runs in turns

/**
 * `rounds` rounds in which every side runs once, the order rotating each round (A B C, B C A, ...),
 * so no side always runs first on a cold cache or last on piled-up dirty pages.
 */
export async function alternate<K extends string, T>(
  rounds: number,
  sides: Record<K, (round: number) => Promise<T>>,
  onRun?: (side: K, round: number, result: T) => void,
): Promise<Record<K, T[]>> {
  const names = Object.keys(sides) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as T[]])) as unknown as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length];
      const result = await sides[name](round);
      results[name].push(result);
      onRun?.(name, round, result);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Clients (their own CPU measured through bash's `times`)

export interface ClientRun {
  stdout: string;
  /** CPU seconds (user + system) of the client process. */
  clientCpu: number;
  wallSeconds: number;
}

/** Runs `command args...` under bash and returns its stdout and its CPU seconds. */
export async function runClient(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ClientRun> {
  const started = process.hrtime.bigint();
  const child = spawn('bash', ['-c', '"$@"; status=$?; times; exit $status', 'bash', command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} exited ${code}: ${stderr}${stdout}`);
  const lines = stdout.trimEnd().split('\n');
  const times = lines.slice(-2).join('\n');
  return { stdout: lines.slice(0, -2).join('\n'), clientCpu: childCpuSecondsOfTimes(times), wallSeconds };
}

export interface TransferRun {
  status: number;
  bytes: number;
  /** Bytes per second as curl measured them. */
  speed: number;
  seconds: number;
  clientCpu: number;
  /** The response body when `saveBodyTo` was given. */
  body?: string;
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

/** `curl -o /dev/null`: one GET, its speed as curl measured it. */
export async function curlDownload(url: string, headers: Record<string, string> = {}): Promise<TransferRun> {
  const run = await runClient('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code} %{size_download} %{speed_download} %{time_total}\n',
    ...headerArgs(headers),
    url,
  ]);
  const [status, bytes, speed, seconds] = run.stdout.trim().split(' ').map(Number);
  return { status, bytes, speed, seconds, clientCpu: run.clientCpu };
}

/**
 * `curl -F`: one multipart POST of `fields` (curl's `-F` syntax, e.g. `file=@/path`), no
 * `Expect: 100-continue` round trip; the answer is written to `bodyFile` and returned.
 */
export async function curlUpload(
  url: string,
  fields: string[],
  bodyFile: string,
  headers: Record<string, string> = {},
): Promise<TransferRun> {
  const run = await runClient('curl', [
    '-sS',
    '-o',
    bodyFile,
    '-w',
    '%{http_code} %{size_upload} %{speed_upload} %{time_total}\n',
    '-H',
    'Expect:',
    ...headerArgs(headers),
    ...fields.flatMap((field) => ['-F', field]),
    url,
  ]);
  const [status, bytes, speed, seconds] = run.stdout.trim().split(' ').map(Number);
  return { status, bytes, speed, seconds, clientCpu: run.clientCpu, body: readFileSync(bodyFile, 'utf8') };
}

export interface WrkRun extends WrkResult {
  clientCpu: number;
}

/**
 * wrk against `url` (bench/wrk-request.lua): `connections` connections on `threads` threads for
 * `seconds`, optional method, body file and headers; with `paths`, each connection requests those
 * paths of `url`'s server in turn instead of `url` itself.
 */
export async function wrk(options: {
  url: string;
  connections: number;
  seconds: number;
  threads?: number;
  method?: string;
  bodyFile?: string;
  headers?: Record<string, string>;
  paths?: readonly string[];
}): Promise<WrkRun> {
  const threads = Math.min(options.threads ?? 2, options.connections);
  const run = await runClient(
    'wrk',
    [
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      path.join(REPO_ROOT, 'bench', 'wrk-request.lua'),
      options.url,
    ],
    {
      WRK_METHOD: options.method ?? 'GET',
      WRK_BODY_FILE: options.bodyFile ?? '',
      WRK_PATHS: (options.paths ?? []).join('\n'),
      WRK_HEADERS: Object.entries(options.headers ?? {})
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n'),
    },
  );
  return { ...parseWrkResult(run.stdout), clientCpu: run.clientCpu };
}

// ---------------------------------------------------------------------------------------------
// Rows

export interface Target {
  atLeast?: number;
  atMost?: number;
}

export interface Row {
  what: string;
  /** How the baseline and Depot figures read, e.g. `MB/s`, `req/s`, `ms p99`. */
  unit: string;
  /** One figure per run; ratios are taken pair by pair, so both lists line up run for run. */
  baseline?: readonly number[];
  depot: readonly number[];
  /** Target on the median pair ratio (with a baseline) or on the median Depot figure (without). */
  target?: Target;
  /**
   * `depot`: the target is on the median Depot figure even with a baseline (a p99 or a time
   * next to the baseline's).
   */
  targetOn?: 'ratio' | 'depot';
  /** Free text after the row: CPU per GiB, client CPU, what the baseline is... */
  note?: string;
}

const rows: { row: Row; value: number; met: boolean | undefined }[] = [];

function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatTarget({ target, targetOn, baseline, unit }: Row): string {
  if (!target) return '-';
  // With a baseline the target reads as a ratio unless it is on Depot's own figure.
  const onDepot = targetOn === 'depot' && baseline !== undefined;
  return (
    (onDepot ? 'Depot ' : '') +
    [
      target.atLeast !== undefined ? `>= ${target.atLeast}` : undefined,
      target.atMost !== undefined ? `<= ${target.atMost}` : undefined,
    ]
      .filter(Boolean)
      .join(', ') +
    (onDepot ? ` ${unit}` : '')
  );
}

/** Prints one result row (median figures, the median of per-pair ratios, target, met) and keeps it for the summary. */
export function printRow(row: Row): void {
  const depot = median(row.depot);
  const baseline = row.baseline ? median(row.baseline) : undefined;
  const ratio = row.baseline ? medianPairRatio(row.baseline, row.depot) : undefined;
  const value = row.targetOn === 'depot' ? depot : (ratio ?? depot);
  const met = row.target ? meets(value, row.target) : undefined;
  rows.push({ row, value, met });
  const runs = (values: readonly number[]): string => values.map(formatFigure).join(' ');
  console.log(
    `\n## ${row.what}${CONTEND ? ' [BENCH_CONTEND=1]' : ''}\n` +
      (row.baseline
        ? `  baseline ${formatFigure(baseline!)} ${row.unit}   (runs: ${runs(row.baseline)})\n`
        : '') +
      `  depot    ${formatFigure(depot)} ${row.unit}   (runs: ${runs(row.depot)})\n` +
      (ratio !== undefined ? `  ratio    ${ratio.toFixed(2)} (median of per-pair ratios)\n` : '') +
      `  target   ${formatTarget(row)}${row.target ? `   met: ${met ? 'yes' : 'NO'}` : ''}` +
      (row.note ? `\n  ${row.note.split('\n').join('\n  ')}` : ''),
  );
}

/** The rows printed so far as one Markdown table (baseline, Depot, ratio, target, met). */
export function printSummary(title: string): void {
  console.log(`\n### ${title}${CONTEND ? ' (BENCH_CONTEND=1: a CPU hog on one core)' : ''}\n`);
  console.log('| what | baseline | Depot | ratio | target | met |');
  console.log('|---|---|---|---|---|---|');
  for (const { row, met } of rows) {
    const baseline = row.baseline ? `${formatFigure(median(row.baseline))} ${row.unit}` : '-';
    const ratio = row.baseline ? medianPairRatio(row.baseline, row.depot).toFixed(2) : '-';
    console.log(
      `| ${row.what} | ${baseline} | ${formatFigure(median(row.depot))} ${row.unit} | ${ratio} | ${formatTarget(row)} | ${met === undefined ? '-' : met ? 'yes' : 'no'} |`,
    );
  }
}

/** What `runBench` gives a benchmark: its work directory, its own database, the servers to stop. */
export interface BenchWorkspace {
  workDir: string;
  /** A throwaway database on `DATABASE_URL`'s server when that is set (else Depot embeds one). */
  databaseUrl?: string;
  /** Servers the benchmark started; stopped last first when it ends. */
  servers: ServedProcess[];
}

/**
 * A benchmark's main: a work directory under `BENCH_DIR` (default the OS temp dir), a throwaway
 * database when `DATABASE_URL` is set, then `body`; afterwards, whatever happened, every server in
 * `servers` is stopped, the database dropped and the directory removed. A failure sets the exit code.
 */
export function runBench(prefix: string, body: (workspace: BenchWorkspace) => Promise<void>): void {
  const run = async (): Promise<void> => {
    const workDir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), prefix));
    // mkdtemp makes it 0700; as root, embedded PostgreSQL runs initdb as another user who must reach DATA_DIR.
    await chmod(workDir, 0o755);
    const databaseUrl = process.env.DATABASE_URL ? await createTestDatabase() : undefined;
    const servers: ServedProcess[] = [];
    try {
      await body({ workDir, databaseUrl, servers });
    } finally {
      for (const server of servers.reverse()) await server.stop();
      if (databaseUrl) await dropTestDatabase(databaseUrl);
      await rm(workDir, { recursive: true, force: true });
    }
  };
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
