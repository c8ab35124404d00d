import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { blobFiles, eventually, json, openRequest } from '../inventory-binaries/binaries-test-kit';
import { partHead, BOUNDARY, multipartType } from '../support/multipart';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

async function binaryRows(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS count FROM managed_objects');
    return rows[0].count as number;
  } finally {
    await client.end();
  }
}

/** True once a fresh connection to the server is refused. */
async function refusesConnections(baseUrl: string): Promise<boolean> {
  try {
    await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
}

const PASSWORD = 'shutdown-pw-1';

describe('graceful shutdown on SIGTERM', () => {
  let server: SpawnedServer | undefined;
  let databaseUrl: string;
  let dataDir: string;

  beforeEach(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'depot-shutdown-'));
  });
  afterEach(async () => {
    if (server) {
      server.kill('SIGKILL');
      await server.exited;
      server = undefined;
    }
    await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (timeoutMs: number): Promise<SpawnedServer> =>
    spawnServer({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      BOOTSTRAP_PASSWORD: PASSWORD,
      SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
      LOG_LEVEL: 'info',
    });

  /** Starts an upload and sends the first part of its file; the test finishes (or abandons) it. */
  function startUpload(baseUrl: string) {
    const upload = openRequest(baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        Authorization: basicAuth('management', 'admin', PASSWORD),
        Accept: 'application/json',
        'Content-Type': multipartType(),
        'Transfer-Encoding': 'chunked',
      },
    });
    upload.request.write(
      partHead({ name: 'file', filename: 'slow.bin', contentType: 'application/octet-stream' }),
    );
    upload.request.write(Buffer.alloc(64 * 1024, 1));
    return upload;
  }

  it('lets an in-flight upload finish, refuses new connections, exits 0', async () => {
    server = await start(30_000);
    const upload = startUpload(server.baseUrl);
    await eventually(() => blobFiles(dataDir).length > 0, 'the upload to reach storage');

    server.kill('SIGTERM');
    await eventually(() => refusesConnections(server!.baseUrl), 'new connections to be refused');
    upload.request.write(Buffer.alloc(64 * 1024, 2));
    upload.request.end(`\r\n--${BOUNDARY}--\r\n`);

    const response = await upload.response;
    expect(response.status).toBe(201);
    expect(json(response)).toMatchObject({ name: 'slow.bin', length: 128 * 1024 });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await binaryRows(databaseUrl)).toBe(1);
    expect(blobFiles(dataDir).filter((file) => file.startsWith('.tmp'))).toEqual([]);
    expect(blobFiles(dataDir)).toHaveLength(1);
  });

  it('past SHUTDOWN_TIMEOUT_MS aborts the upload and leaves no row, no blob and no temp file', async () => {
    server = await start(1000);
    const upload = startUpload(server.baseUrl);
    await eventually(() => blobFiles(dataDir).length > 0, 'the upload to reach storage');

    const signalled = Date.now();
    server.kill('SIGTERM');
    await expect(upload.response).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(900);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('Aborting 1 request(s) still running after 1000 ms');
    expect(await binaryRows(databaseUrl)).toBe(0);
    expect(blobFiles(dataDir)).toEqual([]);
  });
});
