import AdmZip from 'adm-zip';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  activeVersionOf,
  createHostedAppWithFiles,
  downloadArchive,
  JSON_ACCEPT,
  type HostedApp,
} from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';
import { multipartBody, UNNAMED_CONTENT_SHAPES, type Part } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';

// The content part of every archive route is content because of its field name: sent without a
// filename, with any content type or none, its bytes arrive as sent (3 MiB and more, every byte value).
describe('archive routes take content parts by field name, byte for byte', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  function post(path: string, part: Part): request.Test {
    const { body, contentType } = multipartBody([part]);
    return request(t.server)
      .post(path)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .set('Content-Type', contentType)
      .send(body);
  }

  async function activeEntry(app: HostedApp, name: string): Promise<Buffer | undefined> {
    const archive = await downloadArchive(t, app, (await activeVersionOf(t, app))!);
    return new AdmZip(archive).getEntry(name)?.getData();
  }

  // Random bytes hold every byte value and are incompressible: the zip itself is over 3 MiB, and a
  // repeated pattern would trip the archive's compression-ratio limit.
  const payload = (): Buffer => {
    const data = randomBytes(3 * 1024 * 1024 + 1000);
    expect(new Set(data).size).toBe(256);
    return data;
  };

  it.each(UNNAMED_CONTENT_SHAPES)('application archive upload: %s', async (_label, contentType) => {
    const app = await createHostedAppWithFiles(t);
    const data = payload();
    const zip = zipOf({ 'index.html': '<html>parts</html>', 'data.bin': data });
    expect(zip.length).toBeGreaterThan(3 * 1024 * 1024);
    const response = await post(`${app.url}/binaries`, { name: 'file', contentType, body: zip });
    expect(response.status).toBe(201);
    const stored = await downloadArchive(t, app, (response.body as { id: string }).id);
    expect(Buffer.compare(stored, zip)).toBe(0);
    expect(Buffer.compare((await activeEntry(app, 'data.bin'))!, data)).toBe(0);
  });

  it.each(UNNAMED_CONTENT_SHAPES)('plugin add: %s', async (_label, contentType) => {
    const app = await createHostedAppWithFiles(t);
    const data = payload();
    const zip = zipOf({ 'remoteEntry.js': 'export {}', 'data.bin': data });
    const response = await post(`${app.url}/binaries/plugins/parts`, {
      name: 'file',
      contentType,
      body: zip,
    });
    expect(response.status).toBe(201);
    expect(Buffer.compare((await activeEntry(app, 'parts/data.bin'))!, data)).toBe(0);
  });

  it.each(UNNAMED_CONTENT_SHAPES)('files write: %s', async (_label, contentType) => {
    const app = await createHostedAppWithFiles(t);
    const data = payload();
    const response = await post(`${app.url}/binaries/files`, {
      name: 'assets/data.bin',
      contentType,
      body: data,
    });
    expect(response.status).toBe(201);
    expect(Buffer.compare((await activeEntry(app, 'assets/data.bin'))!, data)).toBe(0);
  });
});
