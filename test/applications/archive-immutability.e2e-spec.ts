import { Role } from '@depot/common';
import request from 'supertest';
import { createUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { binaryCount } from './applications-test-kit';
import { asBytes, createHostedApp, getApp, JSON_ACCEPT, uploadOk } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

/**
 * Archives are validated on the way in through the application API, and plugin changes trust that.
 * The inventory API must therefore not be a side door: no creating an archive-typed binary, no turning
 * a binary into one, no changing an archive's content or fragments, no deleting one (the application
 * would lose its active version).
 */
describe('application archives cannot be forged or changed through the inventory API', () => {
  let t: TestApp;
  let appId: string;
  let contextPath: string;
  let archiveId: string;
  const original = zipOf({ 'index.html': '<html>validated</html>' });

  beforeAll(async () => {
    t = await startTestApp();
    ({ id: appId, contextPath } = await createHostedApp(t));
    archiveId = await uploadOk(t, appId, original);
  });
  afterAll(async () => {
    await t?.close();
  });

  const archiveContent = async (): Promise<Buffer> => {
    const response = await request(t.server)
      .get(`/inventory/binaries/${archiveId}`)
      .set('Authorization', t.auth())
      .buffer(true)
      .parse(asBytes);
    expect(response.status).toBe(200);
    return response.body as Buffer;
  };

  it('refuses to upload a binary with an archive type (422), storing nothing', async () => {
    const before = await binaryCount(t);
    const response = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .field('object', JSON.stringify({ name: 'forged.zip', type: `c8y_applications_storage_${appId}` }))
      .attach('file', zipOf({ 'index.html': 'forged' }), 'forged.zip');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'inventory/Invalid Data' });
    expect(await binaryCount(t)).toBe(before);
  });

  it('refuses to replace an archive’s content (409) and keeps it', async () => {
    const response = await request(t.server)
      .put(`/inventory/binaries/${archiveId}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .set('Content-Type', 'application/zip')
      .send(zipOf({ 'index.html': 'replaced' }));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'inventory/Conflict' });
    expect((await archiveContent()).equals(original)).toBe(true);
  });

  it('refuses to change an archive’s fragments or type through managedObjects (409)', async () => {
    const response = await request(t.server)
      .put(`/inventory/managedObjects/${archiveId}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ c8y_ApplicationManifest: { contextPath: 'hijacked' }, type: 'c8y_upload' });
    expect(response.status).toBe(409);
    const archive = await request(t.server)
      .get(`/inventory/managedObjects/${archiveId}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT);
    expect(archive.body).toMatchObject({ type: `c8y_applications_storage_${appId}` });
  });

  it('refuses to turn an ordinary binary into an archive (422), so it cannot be activated', async () => {
    const uploaded = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .field('object', JSON.stringify({ name: 'plain.zip', type: 'application/zip' }))
      .attach('file', zipOf({ 'index.html': 'unvalidated' }), 'plain.zip');
    expect(uploaded.status).toBe(201);
    const binaryId = (uploaded.body as { id: string }).id;

    const retyped = await request(t.server)
      .put(`/inventory/managedObjects/${binaryId}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ type: `c8y_applications_storage_${appId}` });
    expect(retyped.status).toBe(422);

    const activated = await request(t.server)
      .put(`/application/applications/${appId}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ activeVersionId: binaryId });
    expect(activated.status).toBe(404);
    expect((await getApp(t, appId)).activeVersionId).toBe(archiveId);
  });

  it('refuses to delete an archive through either inventory route (409), whoever asks', async () => {
    const inventoryAdmin = await createUser(t, { userName: 'inv-admin', roles: [Role.InventoryAdmin] });
    for (const auth of [inventoryAdmin.auth, t.auth()])
      for (const route of ['managedObjects', 'binaries']) {
        const response = await request(t.server)
          .delete(`/inventory/${route}/${archiveId}`)
          .set('Authorization', auth)
          .set('Accept', JSON_ACCEPT);
        expect([route, response.status, response.body]).toMatchObject([
          route,
          409,
          { error: 'inventory/Conflict' },
        ]);
      }
    expect((await getApp(t, appId)).activeVersionId).toBe(archiveId);
    expect((await archiveContent()).equals(original)).toBe(true);
    const served = await request(t.server).get(`/apps/${contextPath}/`).set('Authorization', t.auth());
    expect(served.status).toBe(200);
    expect(served.text).toBe('<html>validated</html>');
  });

  it('still lets ordinary binaries change type and fragments', async () => {
    const uploaded = await request(t.server)
      .post('/inventory/binaries')
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .field('object', JSON.stringify({ name: 'notes.txt', type: 'text/plain' }))
      .attach('file', Buffer.from('hello'), 'notes.txt');
    const updated = await request(t.server)
      .put(`/inventory/managedObjects/${(uploaded.body as { id: string }).id}`)
      .set('Authorization', t.auth())
      .set('Accept', JSON_ACCEPT)
      .send({ type: 'c8y_notes', c8y_Global: {} });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ type: 'c8y_notes', c8y_Global: {} });
  });
});
