import { FilesystemStorageDriver, MinioStorageDriver, StorageFullError } from '@depot/storage';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { createHostedApp, getApp, JSON_ACCEPT, uploadArchive } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';
import {
  binaryUploadBody,
  blobFiles,
  countRows,
  json,
  openBinaryUpload,
  randomContent,
  rawRequest,
  type RawResponse,
} from '../inventory-binaries/binaries-test-kit';
import { startTestApp, type TestApp } from '../support/test-app';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Mounts a tmpfs of `size` on `directory`: a real filesystem that really runs out of space. */
function mountTmpfs(directory: string, size: string): string | undefined {
  mkdirSync(directory, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', directory], {
    encoding: 'utf8',
  });
  if (mounted.status === 0) return undefined;
  return (mounted.stderr || mounted.error?.message || `exit ${mounted.status}`).trim();
}

function unmount(directory: string): void {
  spawnSync('umount', [directory]);
}

const root = mkdtempSync(path.join(tmpdir(), 'depot-full-'));
const driverRoot = path.join(root, 'driver');
const dataDir = path.join(root, 'data');
const mountError = mountTmpfs(driverRoot, '1m') ?? mountTmpfs(path.join(dataDir, 'blobs'), '4m');
if (mountError)
  // Loud on purpose: a skipped suite must not pass for a tested one.
  console.warn(
    `SKIPPED storage-full suites: cannot mount a tmpfs here (${mountError}). They need root and a kernel that lets it mount tmpfs.`,
  );
const describeWithTmpfs = mountError ? describe.skip : describe;

afterAll(() => {
  unmount(driverRoot);
  unmount(path.join(dataDir, 'blobs'));
  rmSync(root, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describeWithTmpfs('filesystem driver on a full filesystem', () => {
  const driver = new FilesystemStorageDriver(driverRoot);
  const temp = () => readdirSync(path.join(driverRoot, '.tmp'));

  it('rejects a write that does not fit with StorageFullError, leaves no temp file, and stays ready', async () => {
    const error = await driver
      .write('t1/big', Readable.from([randomContent(2 * MiB)]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect(temp()).toEqual([]);
    // One write too big for the store says nothing about ordinary ones: free space is back.
    await expect(driver.ping()).resolves.toBeUndefined();
  });

  it('fails ping while a write found the store full and free space stays low; passes once room is made', async () => {
    await driver.write('t1/filler', Readable.from([randomContent(MiB - 40 * KiB)]));
    await expect(driver.write('t1/more', Readable.from([randomContent(100 * KiB)]))).rejects.toBeInstanceOf(
      StorageFullError,
    );
    expect(temp()).toEqual([]);
    await expect(driver.ping()).rejects.toThrow(/No space left: a write failed at .*, \d+ bytes free/);
    await driver.delete('t1/filler');
    await expect(driver.ping()).resolves.toBeUndefined();
  });
});

describeWithTmpfs('uploads into a full store (DATA_DIR/blobs on a 4 MiB tmpfs)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await t?.close();
  });

  function expectInsufficientStorage(response: { status: number; body: unknown }): void {
    expect(response.status).toBe(507);
    expect(response.body).toEqual({
      error: 'storage/Insufficient Storage',
      message: expect.stringContaining('no storage space left') as unknown,
      info: expect.any(String) as unknown,
      requestId: expect.any(String) as unknown,
    });
  }

  function upload(content: Buffer): Promise<RawResponse> {
    const body = binaryUploadBody(content);
    const { request: outgoing, response } = openBinaryUpload(t.baseUrl, t.auth(), body);
    outgoing.end(body);
    return response;
  }

  const ready = () => request(t.server).get('/health/ready');
  let keeper: { id: string; content: Buffer };

  it('POST: 507 with a Cumulocity body, no row, no blob or temp file; the store stays ready', async () => {
    const response = await upload(randomContent(5 * MiB));
    expectInsufficientStorage({ status: response.status, body: json(response) });
    expect(await countRows(t)).toBe(0);
    expect(blobFiles(dataDir)).toEqual([]);
    expect((await ready()).status).toBe(200);
  });

  it('PUT: 507, the old content intact, no temp file; /health/ready then reports the store full', async () => {
    const content = randomContent(3.85 * MiB);
    const created = await upload(content);
    expect(created.status).toBe(201);
    keeper = { id: String(json(created).id), content };
    const stored = blobFiles(dataDir);

    const response = await rawRequest(t.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${keeper.id}`,
      headers: { authorization: t.auth(), accept: 'application/json', 'content-type': 'text/plain' },
      body: randomContent(MiB),
    });
    expectInsufficientStorage({ status: response.status, body: json(response) });
    expect(blobFiles(dataDir)).toEqual(stored);
    const download = await rawRequest(t.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries/${keeper.id}`,
      headers: { authorization: t.auth() },
    });
    expect(download.status).toBe(200);
    expect(sha256(download.body)).toBe(sha256(content));

    const health = await ready();
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'DOWN',
      failed: ['storage'],
      database: { status: 'UP' },
      storage: {
        status: 'DOWN',
        driver: 'filesystem',
        details: expect.stringMatching(/^No space left/) as unknown,
      },
    });
  });

  it('archive upload: 507, no archive row or blob, the application has no active version', async () => {
    const app = await createHostedApp(t);
    const zip = zipOf({ 'index.html': '<html>v1</html>', 'big.bin': randomContent(MiB) });
    const rows = await countRows(t);
    const stored = blobFiles(dataDir);
    const response = await uploadArchive(t, app.id, zip);
    expectInsufficientStorage(response);
    expect(await countRows(t)).toBe(rows);
    expect(blobFiles(dataDir)).toEqual(stored);
    expect((await getApp(t, app.id)).activeVersionId).toBeUndefined();
  });

  it('is ready again once binaries are deleted', async () => {
    const deleted = await request(t.server)
      .delete(`/inventory/binaries/${keeper.id}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT);
    expect(deleted.status).toBe(204);
    expect((await ready()).status).toBe(200);
    expect((await upload(randomContent(MiB))).status).toBe(201);
  });
});

describe('MinIO driver when the server answers XMinioStorageFull', () => {
  let server: http.Server;
  let driver: MinioStorageDriver;
  let full = true;

  beforeAll(async () => {
    // Speaks just enough S3: the bucket exists, and a PUT gets what MinIO answers below its free-space threshold.
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.method === 'PUT' && full) {
          response.writeHead(507, { 'content-type': 'application/xml' });
          response.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>XMinioStorageFull</Code>' +
              '<Message>Storage backend has reached its minimum free drive threshold.</Message>' +
              `<Key>${request.url}</Key><BucketName>depot</BucketName><Resource>${request.url}</Resource></Error>`,
          );
          return;
        }
        response.writeHead(200, { etag: '"0"' });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    driver = new MinioStorageDriver({
      endPoint: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      useSSL: false,
      accessKey: 'key',
      secretKey: 'secret',
      bucket: 'depot',
      region: 'us-east-1',
    });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('rejects the write with StorageFullError and fails ping until a write succeeds', async () => {
    await expect(driver.write('t1/x', Readable.from([Buffer.from('data')]))).rejects.toBeInstanceOf(
      StorageFullError,
    );
    await expect(driver.ping()).rejects.toBeInstanceOf(StorageFullError);
    full = false;
    await expect(driver.write('t1/y', Readable.from([Buffer.from('data')]))).resolves.toEqual({ length: 4 });
    await expect(driver.ping()).resolves.toBeUndefined();
  });
});
