import { BinarySweeperService } from '@depot/inventory-binaries';
import { STORAGE_DRIVER, type StorageDriver } from '@depot/storage';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { eventually, openRequest } from '../inventory-binaries/binaries-test-kit';
import { multipart, multipartType, partHead } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';
import { createHostedAppWithFiles, JSON_ACCEPT } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

/** The value of one series in Prometheus text (`name{labels} value`), 0 when absent. */
function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(t: TestApp): Promise<string> {
  const response = await request(t.server).get('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return response.text;
}

describe('metrics and health', () => {
  let t: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    [t, other] = await Promise.all([startTestApp({ SWEEP_GRACE_SECONDS: '0' }), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), other?.close()]);
  });

  it('counts uploads by outcome, bytes both ways and latency by route template', async () => {
    const content = Buffer.from('metrics-content-'.repeat(64));
    const created = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .set('Content-Type', multipartType())
      .send(multipart([{ name: 'file', filename: 'm.txt', contentType: 'text/plain', body: content }]));
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const rejected = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Content-Type', multipartType())
      .send(multipart([{ name: 'object', body: '{"name":"no file"}' }]));
    expect(rejected.status).toBe(400);
    const downloaded = await request(t.server)
      .get(`/inventory/binaries/${id}`)
      .set('Authorization', t.auth())
      .buffer(true);
    expect(downloaded.status).toBe(200);

    // A request is recorded when its response closes, which may be just after the client has it.
    const getSeries =
      'depot_http_request_duration_seconds_count{method="GET",route="/inventory/binaries/:id",status="200"}';
    let metrics = '';
    await eventually(
      async () => sample((metrics = await scrape(t)), getSeries) === 1,
      'the download to be timed',
    );
    expect(sample(metrics, 'depot_binary_uploads_total{outcome="created"}')).toBe(1);
    expect(sample(metrics, 'depot_binary_uploads_total{outcome="rejected"}')).toBe(1);
    expect(sample(metrics, 'depot_binary_uploads_total{outcome="aborted"}')).toBe(0);
    expect(sample(metrics, 'depot_binary_uploaded_bytes_total')).toBe(content.length);
    expect(sample(metrics, 'depot_binary_downloaded_bytes_total')).toBe(content.length);
    expect(
      sample(
        metrics,
        'depot_http_request_duration_seconds_count{method="GET",route="/inventory/binaries/:id",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        metrics,
        'depot_http_request_duration_seconds_count{method="POST",route="/inventory/binaries",status="400"}',
      ),
    ).toBe(1);
    // No raw ids in labels.
    expect(metrics).not.toContain(`/inventory/binaries/${id}`);
    expect(metrics).toContain('process_resident_memory_bytes');

    // Each app has its own registry: the other app saw none of this.
    const untouched = await scrape(other);
    expect(sample(untouched, 'depot_binary_uploads_total{outcome="created"}')).toBe(0);
    expect(sample(untouched, 'depot_binary_uploaded_bytes_total')).toBe(0);
  });

  it('counts an upload whose client went away as aborted', async () => {
    const upload = openRequest(t.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        Authorization: t.auth(),
        'Content-Type': multipartType(),
        'Transfer-Encoding': 'chunked',
      },
    });
    upload.request.write(partHead({ name: 'file', filename: 'gone.bin' }));
    upload.request.write(Buffer.alloc(32 * 1024, 7));
    await new Promise((resolve) => setTimeout(resolve, 200));
    upload.request.destroy();
    await upload.response.catch(() => undefined);
    await eventually(
      async () => sample(await scrape(t), 'depot_binary_uploads_total{outcome="aborted"}') === 1,
      'the aborted upload to be counted',
    );
  });

  it('counts a replace whose client went away as aborted, the same way', async () => {
    const created = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .set('Content-Type', multipartType())
      .send(multipart([{ name: 'file', filename: 'r.bin', body: 'old' }]));
    expect(created.status).toBe(201);
    const before = sample(await scrape(t), 'depot_binary_uploads_total{outcome="aborted"}');
    const replace = openRequest(t.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${(created.body as { id: string }).id}`,
      headers: {
        Authorization: t.auth(),
        'Content-Type': 'application/octet-stream',
        'Content-Length': '1000000',
      },
    });
    replace.request.write(Buffer.alloc(32 * 1024, 7));
    await new Promise((resolve) => setTimeout(resolve, 200));
    replace.request.destroy();
    await replace.response.catch(() => undefined);
    await eventually(
      async () => sample(await scrape(t), 'depot_binary_uploads_total{outcome="aborted"}') === before + 1,
      'the aborted replace to be counted',
    );
  });

  it('counts archive changes and sweeper deletions', async () => {
    const before = await scrape(t);
    const hosted = await createHostedAppWithFiles(t, { 'index.html': '<html>metrics</html>' });
    const plugin = await request(t.server)
      .post(`${hosted.url}/binaries/plugins/metrics-plugin`)
      .set('Authorization', t.auth())
      .attach('file', zipOf({ 'remoteEntry.js': 'export {}' }), {
        filename: 'p.zip',
        contentType: 'application/zip',
      });
    expect(plugin.status).toBe(201);
    const storage = t.app.get<StorageDriver>(STORAGE_DRIVER);
    await storage.write(`management/${randomUUID()}`, Readable.from([Buffer.from('orphan')]));
    const swept = await t.app.get(BinarySweeperService, { strict: false }).sweep();
    expect(swept.deleted).toBeGreaterThanOrEqual(1);

    const after = await scrape(t);
    const delta = (series: string): number => sample(after, series) - sample(before, series);
    expect(delta('depot_application_archive_changes_total{kind="upload"}')).toBe(1);
    expect(delta('depot_application_archive_changes_total{kind="addPlugin"}')).toBe(1);
    expect(delta('depot_sweeper_deleted_total')).toBe(swept.deleted);
  });

  it('/metrics needs no credentials; its text has no tenant or user names', async () => {
    const metrics = await scrape(t);
    expect(metrics).not.toContain('management');
    expect(metrics).not.toContain(t.admin.password);
  });

  it('/health/live answers without touching dependencies; /health/ready and /health check them', async () => {
    const live = await request(t.server).get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'UP' });
    for (const route of ['/health/ready', '/health']) {
      const ready = await request(t.server).get(route);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'UP',
        database: { status: 'UP' },
        storage: { status: 'UP', driver: 'filesystem' },
      });
      expect(ready.body).not.toHaveProperty('failed');
    }
  });

  it('/health/ready answers 503 naming the storage when it is unreachable; /health/live stays 200', async () => {
    // The blob root replaced by a plain file: nothing can be written under it any more.
    const root = path.join(other.dataDir, 'blobs');
    rmSync(root, { recursive: true, force: true });
    writeFileSync(root, 'not a directory');
    const ready = await request(other.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'DOWN',
      failed: ['storage'],
      database: { status: 'UP' },
      storage: { status: 'DOWN' },
    });
    expect((await request(other.server).get('/health')).status).toBe(503);
    expect((await request(other.server).get('/health/live')).status).toBe(200);
  });

  it('/health/ready names the database too when it is gone', async () => {
    // Its database dropped (connections terminated): the pool cannot get a new one.
    await dropTestDatabase(other.databaseUrl);
    const ready = await request(other.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'DOWN',
      failed: ['database', 'storage'],
      database: { status: 'DOWN' },
    });
    expect((await request(other.server).get('/health/live')).status).toBe(200);
  });
});
