import { Client } from 'minio';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { asBytes, createHostedAppWithFiles, JSON_ACCEPT } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';
import { startS3rver, type RunningS3rver } from './start-s3rver';

/** The whole server with STORAGE_DRIVER=minio: config, StorageModule wiring, health, binaries round trip. */
describe('server on the MinIO driver (s3rver)', () => {
  const bucket = 'depot-e2e';
  let s3rver: RunningS3rver;
  let t: TestApp;
  let client: Client;

  beforeAll(async () => {
    s3rver = await startS3rver();
    t = await startTestApp({
      STORAGE_DRIVER: 'minio',
      MINIO_ENDPOINT: s3rver.endPoint,
      MINIO_PORT: String(s3rver.port),
      MINIO_ACCESS_KEY: 'S3RVER',
      MINIO_SECRET_KEY: 'S3RVER',
      MINIO_BUCKET: bucket,
    });
    client = new Client({
      endPoint: s3rver.endPoint,
      port: s3rver.port,
      useSSL: false,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3rver?.stop();
  });

  async function objectNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const item of client.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string }>)
      if (item.name) names.push(item.name);
    return names;
  }

  it('reports the storage driver in /health', async () => {
    const response = await request(t.server).get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'UP', storage: { driver: 'minio', status: 'UP' } });
  });

  it('stores, serves (whole and ranged) and deletes a multipart-sized binary in the bucket', async () => {
    const data = randomBytes(20 * 1024 * 1024 + 7);
    const created = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', 'application/json')
      .field('object', JSON.stringify({ name: 'big.bin', type: 'application/octet-stream' }))
      .attach('file', data, 'big.bin')
      .expect(201);
    const id = String(created.body.id);
    expect(await objectNames()).toHaveLength(1);

    const whole = await request(t.server)
      .get(`/inventory/binaries/${id}`)
      .set('Authorization', t.auth())
      .buffer(true)
      .parse(asBytes)
      .expect(200);
    const body = whole.body as Buffer;
    expect(createHash('sha256').update(body).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );

    const ranged = await request(t.server)
      .get(`/inventory/binaries/${id}`)
      .set('Authorization', t.auth())
      .set('Range', 'bytes=100-199')
      .buffer(true)
      .parse(asBytes)
      .expect(206);
    expect((ranged.body as Buffer).equals(data.subarray(100, 200))).toBe(true);

    await request(t.server).delete(`/inventory/binaries/${id}`).set('Authorization', t.auth()).expect(204);
    expect(await objectNames()).toEqual([]);
  });

  it('edits, lists (ranged reads of the central directory) and serves a hosted application in the bucket', async () => {
    const app = await createHostedAppWithFiles(t, { 'index.html': '<html>on minio</html>' });
    await request(t.server)
      .post(`${app.url}/binaries/plugins/widget`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .attach('file', zipOf({ 'cumulocity.json': '{"name":"widget"}', 'w.js': 'w' }), 'widget.zip')
      .expect(201);
    const plugins = await request(t.server)
      .get(`${app.url}/binaries/plugins`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .expect(200);
    expect(plugins.body).toEqual([{ pluginName: 'widget', pluginPackage: { name: 'widget' } }]);
    const served = await request(t.server)
      .get(`/apps/${app.contextPath}/widget/w.js`)
      .set('Authorization', t.auth());
    expect(served.status).toBe(200);
    expect(served.text).toBe('w');
  });
});
