import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { blobFiles } from '../inventory-binaries/binaries-test-kit';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';
import { createHostApp } from './create-host-app';
import { JSON_ACCEPT } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

const ERROR_BODY = { error: expect.any(String), message: expect.any(String), info: expect.any(String) };

describe('embedding Depot modules in a host application (forRootAsync, own data source, storage, auth)', () => {
  let app: INestApplication;
  let server: Server;
  let databaseUrl: string;
  let hostDir: string;
  const as = (user: string) => ({ 'X-Host-User': user, Accept: JSON_ACCEPT });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    hostDir = mkdtempSync(path.join(tmpdir(), 'depot-host-'));
    app = await createHostApp({
      databaseUrl,
      // DATA_DIR-like layout so the binaries test kit can look at the blobs.
      blobRoot: path.join(hostDir, 'blobs'),
      cacheDir: path.join(hostDir, 'cache'),
    });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
  });
  afterAll(async () => {
    await app?.close();
    await dropTestDatabase(databaseUrl);
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('runs Depot migrations on the host data source, without Depot auth tables', async () => {
    const dataSource = app.get(DataSource);
    const [tables] = await dataSource.query<
      Array<{ mo: string | null; apps: string | null; users: string | null }>
    >(
      "SELECT to_regclass('managed_objects') AS mo, to_regclass('applications') AS apps, to_regclass('users') AS users",
    );
    expect(tables).toEqual({ mo: 'managed_objects', apps: 'applications', users: null });
  });

  it('uploads, lists and downloads a binary as the host user, into the host storage root', async () => {
    const content = Buffer.from('embedded content '.repeat(100));
    const created = await request(server)
      .post('/inventory/binaries')
      .set(as('alice'))
      .field('object', JSON.stringify({ name: 'embedded.txt', type: 'text/plain', c8y_Host: {} }))
      .attach('file', content, { filename: 'embedded.txt', contentType: 'text/plain' });
    expect(created.status).toBe(201);
    const binary = created.body as { id: string; owner: string; length: number; self: string };
    expect(binary).toMatchObject({ owner: 'alice', length: content.length });
    expect(blobFiles(hostDir).filter((file) => file.startsWith('acme'))).toHaveLength(1);

    const listed = await request(server).get('/inventory/binaries').set(as('bob'));
    expect(listed.status).toBe(200);
    expect(
      (listed.body as { managedObjects: Array<{ id: string }> }).managedObjects.map((mo) => mo.id),
    ).toEqual([binary.id]);

    const downloaded = await request(server)
      .get(`/inventory/binaries/${binary.id}`)
      .set(as('bob'))
      .buffer(true);
    expect(downloaded.status).toBe(200);
    expect(downloaded.text).toBe(content.toString());
    expect(downloaded.headers['content-type']).toMatch(/^text\/plain/);

    // Tenant scoping comes with the module: another tenant of the host sees nothing.
    const elsewhere = await request(server).get(`/inventory/binaries/${binary.id}`).set(as('carol'));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual(ERROR_BODY);
  });

  it('applies the roles guard to the host principal: 401 without one, 403 without the role', async () => {
    const anonymous = await request(server).get('/inventory/binaries').set('Accept', JSON_ACCEPT);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ ...ERROR_BODY, error: 'security/Unauthorized' });
    const readOnly = await request(server)
      .post('/inventory/binaries')
      .set(as('bob'))
      .attach('file', Buffer.from('x'), { filename: 'x.txt', contentType: 'text/plain' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toMatchObject({ error: 'security/Forbidden' });
  });

  it("denies the host's own undecorated route by default (the modules bring the roles guard)", async () => {
    const undecorated = await request(server).get('/host/undecorated').set(as('alice'));
    expect(undecorated.status).toBe(403);
    expect(undecorated.body).toMatchObject({ ...ERROR_BODY, error: 'security/Forbidden' });
    expect((await request(server).get('/host/undecorated').set('Accept', JSON_ACCEPT)).status).toBe(401);
    const open = await request(server).get('/host/public');
    expect([open.status, open.body]).toEqual([200, { ok: true }]);
  });

  it('creates a hosted application, uploads its archive and adds a plugin', async () => {
    const created = await request(server)
      .post('/application/applications')
      .set(as('alice'))
      .send({ name: 'host-app', key: 'host-app-key', type: 'HOSTED', contextPath: 'host-app' });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const uploaded = await request(server)
      .post(`/application/applications/${id}/binaries`)
      .set(as('alice'))
      .attach('file', zipOf({ 'index.html': '<html>host</html>' }), {
        filename: 'host-app.zip',
        contentType: 'application/zip',
      });
    expect(uploaded.status).toBe(201);

    const plugin = zipOf({
      'remoteEntry.js': 'export {}',
      'cumulocity.json': JSON.stringify({ name: 'Host widget', version: '1.0.0' }),
    });
    const added = await request(server)
      .post(`/application/applications/${id}/binaries/plugins/host-widget`)
      .set(as('alice'))
      .attach('file', plugin, { filename: 'host-widget.zip', contentType: 'application/zip' });
    expect(added.status).toBe(201);
    const archiveId = (added.body as { id: string }).id;
    expect(archiveId).not.toBe((uploaded.body as { id: string }).id);

    const plugins = await request(server)
      .get(`/application/applications/${id}/binaries/plugins`)
      .set(as('alice'));
    expect(plugins.status).toBe(200);
    expect(JSON.stringify(plugins.body)).toContain('host-widget');
    const application = await request(server).get(`/application/applications/${id}`).set(as('alice'));
    expect(application.body).toMatchObject({ activeVersionId: archiveId, owner: { tenant: { id: 'acme' } } });
  });

  it('subscribes only its own tenant without a tenant directory, and refuses the user filter', async () => {
    const created = await request(server)
      .post('/application/applications')
      .set(as('alice'))
      .send({ name: 'host-market', key: 'host-market-key', type: 'HOSTED', contextPath: 'host-market' });
    expect(created.status).toBe(201);
    const reference = { application: { id: (created.body as { id: string }).id } };
    const own = await request(server)
      .post('/tenant/tenants/acme/applications')
      .set(as('alice'))
      .send(reference);
    expect(own.status).toBe(201);
    const other = await request(server)
      .post('/tenant/tenants/globex/applications')
      .set(as('alice'))
      .send(reference);
    expect(other.status).toBe(404);
    const listed = await request(server).get('/application/applications?subscriber=acme').set(as('alice'));
    expect(
      (listed.body as { applications: Array<{ name: string }> }).applications.map((a) => a.name),
    ).toEqual(['host-market']);
    const byUser = await request(server).get('/application/applications?user=alice').set(as('alice'));
    expect(byUser.status).toBe(422);
    expect(byUser.body).toMatchObject({ ...ERROR_BODY, error: 'applications/Invalid Data' });
  });
});
