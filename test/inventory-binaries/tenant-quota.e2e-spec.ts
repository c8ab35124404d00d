import { Role } from '@depot/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHostedApp, uploadArchive } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';
import { createTenant, createUser, type CreatedTenant } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  binaryUploadBody,
  blobFiles,
  eventually,
  json,
  openBinaryUpload,
  randomContent,
  rawRequest,
  type RawResponse,
} from './binaries-test-kit';

const KiB = 1024;
const MiB = 1024 * KiB;
const QUOTA = MiB;

describe('per-tenant storage quota (TENANT_STORAGE_QUOTA=1MiB)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let tenantCount = 0;

  beforeAll(async () => {
    t = await startTestApp({ TENANT_STORAGE_QUOTA: '1MiB' });
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  const freshTenant = () => createTenant(t, `quota${++tenantCount}`);

  const startUpload = (auth: string, body: Buffer) => openBinaryUpload(t.baseUrl, auth, body);

  function upload(auth: string, content: Buffer): Promise<RawResponse> {
    const body = binaryUploadBody(content);
    const { request: outgoing, response } = startUpload(auth, body);
    outgoing.end(body);
    return response;
  }

  async function uploadOk(auth: string, content: Buffer): Promise<string> {
    const response = await upload(auth, content);
    expect(response.status).toBe(201);
    return String(json(response).id);
  }

  const replace = (auth: string, id: string, content: Buffer) =>
    rawRequest(t.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${id}`,
      headers: {
        authorization: auth,
        accept: 'application/json',
        'content-type': 'application/octet-stream',
      },
      body: content,
    });

  async function storage(tenant: CreatedTenant | string, auth?: string) {
    const id = typeof tenant === 'string' ? tenant : tenant.id;
    const response = await request(t.server)
      .get(`/tenant/tenants/${id}/storage`)
      .set('Authorization', auth ?? (typeof tenant === 'string' ? t.auth() : tenant.auth))
      .set('Accept', 'application/json');
    expect(response.status).toBe(200);
    return response.body as {
      usedBytes: number;
      reservedBytes: number;
      quotaBytes: number | null;
      quotaSource: string;
    };
  }

  const setQuota = (tenantId: string, body: unknown, auth = t.auth()) =>
    request(t.server)
      .put(`/tenant/tenants/${tenantId}/storage`)
      .set('Authorization', auth)
      .set('Accept', 'application/json')
      .send(body as object);

  async function rowsOf(tenantId: string): Promise<number> {
    const [{ count }] = await dataSource.query<Array<{ count: number }>>(
      'SELECT count(*)::int AS count FROM managed_objects WHERE tenant_id = $1',
      [tenantId],
    );
    return count;
  }

  const blobsOf = (tenantId: string) =>
    blobFiles(t.dataDir).filter((file) => file.startsWith(`${tenantId}/`) || file.startsWith('.tmp'));

  function expectQuotaExceeded(response: RawResponse): void {
    expect(response.status).toBe(507);
    expect(json(response)).toMatchObject({
      error: 'storage/Quota Exceeded',
      message: expect.stringContaining(`quota of ${QUOTA} bytes`) as unknown,
      info: expect.any(String) as unknown,
    });
  }

  it("shows a tenant admin its tenant's usage and the default quota", async () => {
    const tenant = await freshTenant();
    expect(await storage(tenant)).toEqual({
      self: expect.stringMatching(new RegExp(`/tenant/tenants/${tenant.id}/storage$`)) as unknown,
      tenantId: tenant.id,
      usedBytes: 0,
      reservedBytes: 0,
      quotaBytes: QUOTA,
      quotaSource: 'default',
    });
  });

  it('refuses the upload that would pass the quota with 507, leaving no row, blob, temp file or reservation', async () => {
    const tenant = await freshTenant();
    await uploadOk(tenant.auth, randomContent(400 * KiB));
    await uploadOk(tenant.auth, randomContent(400 * KiB));
    const blobs = blobsOf(tenant.id);

    expectQuotaExceeded(await upload(tenant.auth, randomContent(400 * KiB)));
    expect(await rowsOf(tenant.id)).toBe(2);
    expect(blobsOf(tenant.id)).toEqual(blobs);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 800 * KiB, reservedBytes: 0 });
  });

  it('frees the room of a deleted binary', async () => {
    const tenant = await freshTenant();
    const first = await uploadOk(tenant.auth, randomContent(600 * KiB));
    expectQuotaExceeded(await upload(tenant.auth, randomContent(600 * KiB)));
    const deleted = await request(t.server)
      .delete(`/inventory/binaries/${first}`)
      .set('Authorization', tenant.auth);
    expect(deleted.status).toBe(204);
    expect((await storage(tenant)).usedBytes).toBe(0);
    await uploadOk(tenant.auth, randomContent(600 * KiB));
    expect((await storage(tenant)).usedBytes).toBe(600 * KiB);
  });

  it('counts only the growth of a replace, and keeps the old content when the growth does not fit', async () => {
    const tenant = await freshTenant();
    const id = await uploadOk(tenant.auth, randomContent(400 * KiB));
    await uploadOk(tenant.auth, randomContent(400 * KiB));
    // 800 KiB used: the new 600 KiB fit only because the old 400 KiB go.
    expect((await replace(tenant.auth, id, randomContent(600 * KiB))).status).toBe(201);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 1000 * KiB, reservedBytes: 0 });

    const refused = await replace(tenant.auth, id, randomContent(700 * KiB));
    expectQuotaExceeded(refused);
    const current = await request(t.server)
      .get(`/inventory/binaries/${id}`)
      .set('Authorization', tenant.auth);
    expect(current.status).toBe(200);
    expect((current.body as Buffer).length).toBe(600 * KiB);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 1000 * KiB, reservedBytes: 0 });

    expect((await replace(tenant.auth, id, randomContent(100 * KiB))).status).toBe(201);
    expect((await storage(tenant)).usedBytes).toBe(500 * KiB);
  });

  it('lets only one of two concurrent uploads that together pass the quota through; usage never passes it', async () => {
    const tenant = await freshTenant();
    const bodies = [binaryUploadBody(randomContent(700 * KiB)), binaryUploadBody(randomContent(700 * KiB))];
    const uploads = bodies.map((body) => startUpload(tenant.auth, body));
    // Both in flight, each with 300 KiB sent and its room reserved.
    uploads.forEach(({ request: outgoing }, i) => outgoing.write(bodies[i].subarray(0, 300 * KiB)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const during = await storage(tenant);
    expect(during.reservedBytes).toBeGreaterThan(0);
    expect(during.usedBytes + during.reservedBytes).toBeLessThanOrEqual(QUOTA);

    const statuses: number[] = [];
    for (const [i, { request: outgoing, response }] of uploads.entries()) {
      outgoing.end(bodies[i].subarray(300 * KiB));
      statuses.push((await response).status);
    }
    expect(statuses.sort()).toEqual([201, 507]);
    expect(await rowsOf(tenant.id)).toBe(1);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 700 * KiB, reservedBytes: 0 });
  });

  it('gives back the reservation of an upload the client aborts, leaving no row or blob', async () => {
    const tenant = await freshTenant();
    const body = binaryUploadBody(randomContent(700 * KiB));
    const { request: outgoing, response } = startUpload(tenant.auth, body);
    response.catch(() => undefined); // the client hangs up itself
    outgoing.write(body.subarray(0, 300 * KiB));
    await eventually(async () => (await storage(tenant)).reservedBytes > 0, 'the upload to reserve room');
    outgoing.destroy();
    await eventually(async () => (await storage(tenant)).reservedBytes === 0, 'the reservation to go');
    await eventually(() => blobsOf(tenant.id).length === 0, 'the temp file to go');
    expect(await rowsOf(tenant.id)).toBe(0);
    expect((await storage(tenant)).usedBytes).toBe(0);
  });

  it("counts another process's live reservation, and stops counting one whose lease ran out (a killed process)", async () => {
    const tenant = await freshTenant();
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO storage_reservations (id, tenant_id, bytes, expires_at)
       VALUES ($1, $2, $3, now() + interval '5 minutes')`,
      [id, tenant.id, QUOTA],
    );
    expect((await storage(tenant)).reservedBytes).toBe(QUOTA);
    expectQuotaExceeded(await upload(tenant.auth, randomContent(10 * KiB)));

    await dataSource.query(
      `UPDATE storage_reservations SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    await uploadOk(tenant.auth, randomContent(10 * KiB));
    expect(await dataSource.query('SELECT id FROM storage_reservations WHERE id = $1', [id])).toEqual([]);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 10 * KiB, reservedBytes: 0 });
  });

  it('re-checks at commit an upload whose lease lapsed while others took the room', async () => {
    const tenant = await freshTenant();
    // Every first grant is at least half the quota, so 500 KiB need no second step.
    const body = binaryUploadBody(randomContent(500 * KiB));
    const { request: outgoing, response } = startUpload(tenant.auth, body);
    outgoing.write(body.subarray(0, 300 * KiB));
    await eventually(async () => (await storage(tenant)).reservedBytes > 0, 'the upload to reserve room');
    await dataSource.query(
      `UPDATE storage_reservations SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`,
      [tenant.id],
    );
    const other = randomUUID();
    await dataSource.query(
      `INSERT INTO storage_reservations (id, tenant_id, bytes, expires_at)
       VALUES ($1, $2, $3, now() + interval '5 minutes')`,
      [other, tenant.id, 700 * KiB],
    );
    outgoing.end(body.subarray(300 * KiB));
    expectQuotaExceeded(await response);
    expect(await rowsOf(tenant.id)).toBe(0);
    await eventually(() => blobsOf(tenant.id).length === 0, 'the blob to go');
    expect(await storage(tenant)).toMatchObject({ usedBytes: 0, reservedBytes: 700 * KiB });
    await dataSource.query('DELETE FROM storage_reservations WHERE id = $1', [other]);
  });

  it("lets the management tenant's admin set a tenant's own quota; nobody else", async () => {
    const tenant = await freshTenant();
    const set = await setQuota(tenant.id, { quotaBytes: 2 * MiB });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ tenantId: tenant.id, quotaBytes: 2 * MiB, quotaSource: 'tenant' });
    await uploadOk(tenant.auth, randomContent(1.5 * MiB));
    expect(await storage(tenant)).toMatchObject({ usedBytes: 1.5 * MiB, quotaBytes: 2 * MiB });

    // The tenant's own admin holds every role but ROLE_TENANT_MANAGEMENT_ADMIN.
    expect((await setQuota(tenant.id, { quotaBytes: 100 * MiB }, tenant.auth)).status).toBe(403);
    const device = await createUser(t, { tenant, userName: 'device', roles: [Role.InventoryCreate] });
    expect(
      (await request(t.server).get(`/tenant/tenants/${tenant.id}/storage`).set('Authorization', device.auth))
        .status,
    ).toBe(403);
    const foreign = await request(t.server)
      .get(`/tenant/tenants/${t.admin.tenant}/storage`)
      .set('Authorization', tenant.auth);
    expect(foreign.status).toBe(404);
    expect((await storage(tenant.id)).quotaBytes).toBe(2 * MiB);

    for (const bad of [{}, { quotaBytes: -1 }, { quotaBytes: '1MiB' }, { quotaBytes: 1.5 }]) {
      const response = await setQuota(tenant.id, bad);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'tenants/Invalid Data' });
    }

    // Back to the default: 1.5 MiB used leaves no room under 1 MiB.
    expect((await setQuota(tenant.id, { quotaBytes: null })).body).toMatchObject({
      quotaBytes: QUOTA,
      quotaSource: 'default',
    });
    expectQuotaExceeded(await upload(tenant.auth, randomContent(KiB)));
  });

  it('counts application archives, and frees them with their application', async () => {
    const tenant = await freshTenant();
    const app = await createHostedApp(t, {}, tenant.auth);
    const zip = zipOf({ 'index.html': '<html>v1</html>', 'big.bin': randomContent(300 * KiB) });
    expect((await uploadArchive(t, app.id, zip, tenant.auth)).status).toBe(201);
    expect((await storage(tenant)).usedBytes).toBe(zip.length);
    const deleted = await request(t.server)
      .delete(`/application/applications/${app.id}`)
      .set('Authorization', tenant.auth);
    expect(deleted.status).toBe(204);
    expect((await storage(tenant)).usedBytes).toBe(0);
  });
});
