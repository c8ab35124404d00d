import { ApplicationType, type Client } from '@c8y/client';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminC8yClient } from '../support/c8y-client';
import { uniqueName } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

// The official Web SDK client against Depot, as a UI or script would use it.
describe('@c8y/client ApplicationService', () => {
  let t: TestApp;
  let client: Client;

  beforeAll(async () => {
    t = await startTestApp();
    client = adminC8yClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, lists, reads, updates, uploads, lists binaries and deletes a hosted application', async () => {
    const name = uniqueName('sdk');
    const { data: created, res: createdRes } = await client.application.create({
      name,
      key: `${name}-key`,
      type: ApplicationType.HOSTED,
      contextPath: name,
      description: 'from the SDK',
    });
    expect(createdRes.status).toBe(201);
    expect(created).toMatchObject({
      name,
      type: 'HOSTED',
      contextPath: name,
      owner: { tenant: { id: t.admin.tenant } },
    });
    const id = String(created.id);

    const { data: listed, paging } = await client.application.list({
      pageSize: 100,
      withTotalElements: true,
    });
    expect(listed.map((application) => application.id)).toContain(id);
    expect(paging?.totalElements).toBeGreaterThanOrEqual(1);
    const { data: byName } = await client.application.listByName(name);
    expect(byName.map((application) => application.id)).toEqual([id]);
    const { data: byOwner } = await client.application.listByOwner(t.admin.tenant, { pageSize: 1000 });
    expect(byOwner.map((application) => application.id)).toContain(id);
    const { data: byTenant } = await client.application.listByTenant(t.admin.tenant);
    expect(byTenant.map((application) => application.id)).toContain(id);

    const { data: detail } = await client.application.detail(id);
    expect(detail).toMatchObject({ id, name, description: 'from the SDK' });

    const { data: updated } = await client.application.update({ id, description: 'updated' });
    expect(updated).toMatchObject({ id, description: 'updated', name });

    const zip = zipOf({
      'index.html': '<html>sdk</html>',
      'cumulocity.json': JSON.stringify({ noAppSwitcher: true }),
    });
    const binaries = client.application.binary(id);
    const { res: uploadRes, data: archive } = await binaries.upload(zip, 'sdk-app.zip');
    expect(uploadRes.status).toBe(201);
    const archiveData = archive as unknown as { id: string; name: string; type: string };
    expect(archiveData).toMatchObject({ name: 'sdk-app.zip', type: `c8y_applications_storage_${id}` });
    const { data: afterUpload } = await client.application.detail(id);
    expect(afterUpload).toMatchObject({ activeVersionId: archiveData.id, manifest: { noAppSwitcher: true } });

    const { data: attachments } = await binaries.list();
    expect(attachments).toEqual([
      expect.objectContaining({
        id: archiveData.id,
        name: 'sdk-app.zip',
        length: zip.length,
        contentType: 'application/zip',
      }),
    ]);
    const download = await binaries.downloadArchive(archiveData.id);
    expect(Buffer.compare(Buffer.from(await download.arrayBuffer()), zip)).toBe(0);

    const served = await request(t.server).get(`/apps/${name}/`).set('Authorization', t.auth());
    expect(served.text).toBe('<html>sdk</html>');

    // Deleting the active archive is refused; the client throws {res, data}.
    await expect(binaries.delete(archiveData.id)).rejects.toMatchObject({ res: { status: 409 } });

    const { res: deleted } = await client.application.delete(id);
    expect(deleted.status).toBe(204);
    await expect(client.application.detail(id)).rejects.toMatchObject({
      res: { status: 404 },
      data: { error: 'applications/Not Found' },
    });
  });

  it('creates an external application and rejects a microservice with a readable error', async () => {
    const name = uniqueName('sdk-ext');
    const { data } = await client.application.create({
      name,
      key: `${name}-key`,
      type: ApplicationType.EXTERNAL,
      externalUrl: 'https://example.com/',
    });
    expect(client.application.getHref(data)).toBe('https://example.com/');
    await expect(
      client.application.create({
        name: `${name}-ms`,
        key: `${name}-ms`,
        type: ApplicationType.MICROSERVICE,
      }),
    ).rejects.toMatchObject({ res: { status: 422 }, data: { error: 'applications/Invalid Data' } });
  });
});
