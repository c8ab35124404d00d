import { FilesystemStorageDriver } from '@depot/storage';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';
import { blobFiles, eventually, json, openRequest, randomContent, rawRequest } from './binaries-test-kit';
import { multipart, multipartType, partHead } from '../support/multipart';

describe('nothing half-done after a crash', () => {
  let dataDir: string;
  let databaseUrl: string;
  let server: SpawnedServer | undefined;
  let env: Record<string, string>;
  const auth = basicAuth('management', 'admin', 'crash-test-password');

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'depot-crash-'));
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      BOOTSTRAP_TENANT: 'management',
      BOOTSTRAP_USER: 'admin',
      BOOTSTRAP_PASSWORD: 'crash-test-password',
      SWEEP_GRACE_SECONDS: '1',
      SWEEP_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function rowCount(): Promise<number> {
    const dataSource = new DataSource({ type: 'postgres', url: databaseUrl });
    await dataSource.initialize();
    try {
      const [{ count }] = await dataSource.query<Array<{ count: number }>>(
        'SELECT count(*)::int AS count FROM managed_objects',
      );
      return count;
    } finally {
      await dataSource.destroy();
    }
  }

  it('SIGKILL mid-upload leaves no row; after a restart the sweeper removes the partial data and orphans, not live blobs', async () => {
    server = await spawnServer(env);

    // A committed binary that must survive every sweep.
    const kept = await rawRequest(server.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: auth, accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'file', filename: 'kept.bin', contentType: 'application/octet-stream', body: 'keep' },
      ]),
    });
    expect(kept.status).toBe(201);
    const keptId = String(json(kept).id);
    const liveFiles = blobFiles(dataDir);
    expect(liveFiles).toHaveLength(1);

    // An upload in progress when the process dies.
    const { request, response } = openRequest(server.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: auth, 'content-type': multipartType(), 'transfer-encoding': 'chunked' },
    });
    response.catch(() => undefined); // the server dies under it
    request.write(
      partHead({ name: 'file', filename: 'partial.bin', contentType: 'application/octet-stream' }),
    );
    for (let i = 0; i < 32; i++) request.write(randomContent(64 * 1024));
    await eventually(
      () => blobFiles(dataDir).some((file) => file.startsWith('.tmp/')),
      'a temp file of the upload',
    );
    server.kill('SIGKILL');
    await server.exited;
    server = undefined;
    request.destroy();

    // A blob whose row was never committed (a crash between the two steps).
    const orphanKey = `management/${randomUUID()}`;
    await new FilesystemStorageDriver(path.join(dataDir, 'blobs')).write(
      orphanKey,
      Readable.from([Buffer.from('orphan')]),
    );

    expect(blobFiles(dataDir).filter((file) => file.startsWith('.tmp/'))).toHaveLength(1);
    expect(blobFiles(dataDir)).toHaveLength(3);
    expect(await rowCount()).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the grace period
    server = await spawnServer(env);
    await eventually(
      () => blobFiles(dataDir).length === 1,
      'the sweeper to remove the partial upload and the orphan',
      20_000,
    );
    expect(blobFiles(dataDir)).toEqual(liveFiles);
    expect(await rowCount()).toBe(1);
    const download = await rawRequest(server.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries/${keptId}`,
      headers: { authorization: auth },
    });
    expect(download.body.toString()).toBe('keep');
  }, 180_000);
});
