import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startS3rver, type RunningS3rver } from '../storage/start-s3rver';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basicAuth } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const PASSWORD = 'scale-out-admin-pw';
const admin = basicAuth('management', 'admin', PASSWORD);

async function upload(baseUrl: string, name: string, content: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('object', JSON.stringify({ name, type: 'text/plain' }));
  form.append('file', new Blob([content], { type: 'text/plain' }), name);
  const response = await fetch(`${baseUrl}/inventory/binaries`, {
    method: 'POST',
    headers: { Authorization: admin, Accept: 'application/json' },
    body: form,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

async function download(baseUrl: string, id: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}/inventory/binaries/${id}`, { headers: { Authorization: admin } });
  return { status: response.status, text: await response.text() };
}

/**
 * Scale-out: two stateless server processes on one PostgreSQL and one S3-protocol store (s3rver,
 * through the MinIO driver), as behind a load balancer. Each process has its own DATA_DIR (only
 * its extraction cache lives there).
 */
describe('two server processes on one database and one S3 store', () => {
  let s3: RunningS3rver;
  let databaseUrl: string;
  const dataDirs: string[] = [];
  let first: SpawnedServer;
  let second: SpawnedServer;

  beforeAll(async () => {
    [s3, databaseUrl] = await Promise.all([startS3rver(), createTestDatabase()]);
    const env = (): Record<string, string> => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'depot-scale-'));
      dataDirs.push(dataDir);
      return {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_PASSWORD: PASSWORD,
        STORAGE_DRIVER: 'minio',
        MINIO_ENDPOINT: s3.endPoint,
        MINIO_PORT: String(s3.port),
        MINIO_USE_SSL: 'false',
        MINIO_ACCESS_KEY: 'S3RVER',
        MINIO_SECRET_KEY: 'S3RVER',
        MINIO_BUCKET: 'depot-scale-out',
        LOG_LEVEL: 'warn',
      };
    };
    [first, second] = await Promise.all([spawnServer(env()), spawnServer(env())]);
  });
  afterAll(async () => {
    for (const server of [first, second]) server?.kill('SIGTERM');
    const exits = await Promise.all([first?.exited, second?.exited]);
    await s3?.stop();
    await dropTestDatabase(databaseUrl);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    expect(exits.map((exit) => exit?.code)).toEqual([0, 0]);
  });

  it('both processes are ready on the shared database and storage', async () => {
    for (const server of [first, second]) {
      const ready = await fetch(`${server.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ storage: { status: 'UP', driver: 'minio' } });
    }
  });

  it('an object written through one is read, replaced and deleted through the other', async () => {
    const { id } = await upload(first.baseUrl, 'shared.txt', 'written by the first process');
    expect(await download(second.baseUrl, id)).toEqual({ status: 200, text: 'written by the first process' });

    const listed = await fetch(`${second.baseUrl}/inventory/binaries?pageSize=2000`, {
      headers: { Authorization: admin, Accept: 'application/json' },
    });
    const ids = ((await listed.json()) as { managedObjects: Array<{ id: string }> }).managedObjects.map(
      (mo) => mo.id,
    );
    expect(ids).toContain(id);

    const replaced = await fetch(`${second.baseUrl}/inventory/binaries/${id}`, {
      method: 'PUT',
      headers: { Authorization: admin, Accept: 'application/json', 'Content-Type': 'text/plain' },
      body: 'replaced by the second process',
    });
    expect(replaced.status).toBe(201);
    expect(await download(first.baseUrl, id)).toEqual({
      status: 200,
      text: 'replaced by the second process',
    });

    const deleted = await fetch(`${first.baseUrl}/inventory/binaries/${id}`, {
      method: 'DELETE',
      headers: { Authorization: admin },
    });
    expect(deleted.status).toBe(204);
    expect((await download(second.baseUrl, id)).status).toBe(404);
  });

  it('concurrent uploads through both processes all land, each readable through the other', async () => {
    const uploads = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        upload([first, second][index % 2].baseUrl, `c-${index}.txt`, `content ${index}`),
      ),
    );
    for (const [index, { id }] of uploads.entries()) {
      const other = [second, first][index % 2];
      expect(await download(other.baseUrl, id)).toEqual({ status: 200, text: `content ${index}` });
    }
  });
});
