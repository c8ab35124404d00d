/**
 * `npm run bench` (plugins part; alone: `node -r @swc-node/register bench/plugins.bench.ts`):
 * a hosted application of 5,000 files in a 50 MiB archive gets a 5 MiB plugin added and removed,
 * through a real server process (embedded PostgreSQL, filesystem storage). Prints the time of each
 * change and the server's peak RSS during it, next to the time to copy the 50 MiB archive through the
 * filesystem storage driver (read one key, write another) on the same disk in the same run.
 *
 * BENCH_ROUNDS (default 3) add/remove rounds; the best and the median are shown. The machine is
 * shared: compare the change against the copy, not against other runs.
 */
import { createFileEntry } from '@depot/archive';
import { zipOfEntries } from '@depot/archive/testing/zip-of';
import { FilesystemStorageDriver } from '@depot/storage';
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { spawnServer, type SpawnedServer } from '../test/support/spawn-server';
import { createTestDatabase, dropTestDatabase } from '../test/support/test-database';
import { peakRssMiB, resetPeakRss, rssMiB } from './process-stats';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const APP_FILES = 5000;
const APP_ZIP_SIZE = 50 * MiB;
const PLUGIN_FILES = 100;
const PLUGIN_ZIP_SIZE = 5 * MiB;
const PASSWORD = 'bench-admin-pw';
const AUTH = `Basic ${Buffer.from(`management/admin:${PASSWORD}`).toString('base64')}`;

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

async function call(
  server: SpawnedServer,
  method: string,
  url: string,
  body?: FormData | string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: {
      Authorization: AUTH,
      Accept: 'application/json',
      ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}),
    },
    body,
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
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

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `best ${sorted[0].toFixed(0)}  median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)}`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'depot-bench-plugins-'));
  // The embedded PostgreSQL runs as an unprivileged user when we are root: it must reach DATA_DIR.
  chmodSync(work, 0o755);
  let server: SpawnedServer | undefined;
  let databaseUrl = '';
  try {
    process.stdout.write(
      'plugins bench: building a 50 MiB application of 5,000 files and a 5 MiB plugin...\n',
    );
    const appZip = textZip('assets/', APP_FILES, APP_ZIP_SIZE);
    const pluginZip = textZip('lib/', PLUGIN_FILES, PLUGIN_ZIP_SIZE);
    process.stdout.write(
      `  application zip ${(appZip.length / MiB).toFixed(1)} MiB (${APP_FILES} files), plugin zip ${(pluginZip.length / MiB).toFixed(1)} MiB (${PLUGIN_FILES} files)\n`,
    );

    // Baseline: the archive copied through the storage driver, on the same disk as the server's blobs.
    const driver = new FilesystemStorageDriver(path.join(work, 'copy-blobs'));
    await driver.write('bench/source', Readable.from([appZip]));
    const copies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { ms } = await timed(async () =>
        driver.write(`bench/copy-${round}`, await driver.read('bench/source')),
      );
      copies.push(ms);
    }

    // With DATABASE_URL, a throwaway database on that server (dropped at the end); else the embedded one.
    databaseUrl = process.env.DATABASE_URL ? await createTestDatabase() : '';
    server = await spawnServer(
      {
        DATABASE_URL: databaseUrl,
        DATA_DIR: path.join(work, 'server'),
        BOOTSTRAP_PASSWORD: PASSWORD,
        LOG_LEVEL: 'log',
        ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
      },
      180_000,
    );
    const app = await call(
      server,
      'POST',
      '/application/applications',
      JSON.stringify({ name: 'bench-app', key: 'bench-app-key', type: 'HOSTED', contextPath: 'bench-app' }),
    );
    const appUrl = `/application/applications/${String(app.id)}`;
    const upload = await timed(() =>
      call(server!, 'POST', `${appUrl}/binaries`, zipForm(appZip, 'bench-app.zip')),
    );
    const idleRss = rssMiB(server.pid);
    const canReset = resetPeakRss(server.pid);

    const adds: number[] = [];
    const removes: number[] = [];
    const addPeaks: number[] = [];
    const removePeaks: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      resetPeakRss(server.pid);
      adds.push(
        (
          await timed(() =>
            call(server!, 'POST', `${appUrl}/binaries/plugins/bench-plugin`, zipForm(pluginZip, 'p.zip')),
          )
        ).ms,
      );
      addPeaks.push(peakRssMiB(server.pid));
      resetPeakRss(server.pid);
      removes.push(
        (await timed(() => call(server!, 'DELETE', `${appUrl}/binaries/plugins/bench-plugin`))).ms,
      );
      removePeaks.push(peakRssMiB(server.pid));
    }

    const copyBest = Math.min(...copies);
    process.stdout.write(
      [
        `  storage driver copy of the 50 MiB archive (filesystem, read + write): ${summary(copies)} ms`,
        `  first upload of the archive (validate + store + activate):            ${upload.ms.toFixed(0)} ms`,
        `  add 5 MiB plugin (POST .../binaries/plugins/{name}):                  ${summary(adds)} ms  = ${(Math.min(...adds) / copyBest).toFixed(1)}x the copy`,
        `  remove it (DELETE .../binaries/plugins/{name}):                       ${summary(removes)} ms  = ${(Math.min(...removes) / copyBest).toFixed(1)}x the copy`,
        canReset
          ? `  server peak RSS during a change: add ${Math.max(...addPeaks).toFixed(0)} MiB, remove ${Math.max(...removePeaks).toFixed(0)} MiB (idle after upload ${idleRss.toFixed(0)} MiB)`
          : `  server peak RSS (lifetime, clear_refs unavailable): ${peakRssMiB(server.pid).toFixed(0)} MiB (idle after upload ${idleRss.toFixed(0)} MiB)`,
        '  server-side phases (from its log):',
        ...server
          .output()
          .split('\n')
          .filter((line) => line.includes('made archive'))
          .map((line) => `    ${messageOf(line).replace(/^.*Application \d+: /, '')}`),
        '',
      ].join('\n'),
    );
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await server.exited;
    }
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
