import { Role } from '@depot/common';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { json, rawRequest, type RawResponse } from './binaries-test-kit';
import { multipart, multipartType } from '../support/multipart';

describe('binaries: roles, ownership and tenant scoping', () => {
  let app: TestApp;
  let creator: CreatedUser;
  let otherCreator: CreatedUser;
  let reader: CreatedUser;
  let inventoryAdmin: CreatedUser;
  let outsider: CreatedUser;
  let otherTenant: CreatedTenant;

  beforeAll(async () => {
    app = await startTestApp();
    creator = await createUser(app, { userName: 'creator', roles: [Role.InventoryCreate] });
    otherCreator = await createUser(app, { userName: 'other-creator', roles: [Role.InventoryCreate] });
    reader = await createUser(app, { userName: 'reader', roles: [Role.InventoryRead] });
    inventoryAdmin = await createUser(app, { userName: 'inv-admin', roles: [Role.InventoryAdmin] });
    outsider = await createUser(app, { userName: 'outsider', roles: [Role.ApplicationManagementRead] });
    otherTenant = await createTenant(app, 'othertenant');
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (
    auth: string,
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method,
      path,
      headers: {
        authorization: auth,
        accept: 'application/json',
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body,
    });

  const upload = (auth: string, name = 'owned.txt'): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: auth, accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ name }) },
        { name: 'file', filename: name, contentType: 'text/plain', body: `content of ${name}` },
      ]),
    });

  function expectForbidden(response: RawResponse): void {
    expect(response.status).toBe(403);
    expect(json(response).error).toBe('security/Forbidden');
  }

  it('lets ROLE_INVENTORY_CREATE upload, read, replace, update and delete what it owns', async () => {
    const created = await upload(creator.auth);
    expect(created.status).toBe(201);
    const id = String(json(created).id);
    expect(json(created).owner).toBe('creator');
    expect((await call(creator.auth, 'GET', `/inventory/binaries/${id}`)).status).toBe(200);
    expect((await call(creator.auth, 'PUT', `/inventory/binaries/${id}`, 'v2', 'text/plain')).status).toBe(
      201,
    );
    expect(
      (await call(creator.auth, 'PUT', `/inventory/managedObjects/${id}`, '{"c8y_X":{}}', 'application/json'))
        .status,
    ).toBe(200);
    expect((await call(creator.auth, 'DELETE', `/inventory/binaries/${id}`)).status).toBe(204);
  });

  it("answers 403 when ROLE_INVENTORY_CREATE touches another user's binary, and changes nothing", async () => {
    const id = String(json(await upload(creator.auth, 'not-yours.txt')).id);
    expectForbidden(
      await call(otherCreator.auth, 'PUT', `/inventory/binaries/${id}`, 'hijack', 'text/plain'),
    );
    expectForbidden(await call(otherCreator.auth, 'DELETE', `/inventory/binaries/${id}`));
    expectForbidden(
      await call(
        otherCreator.auth,
        'PUT',
        `/inventory/managedObjects/${id}`,
        '{"name":"x"}',
        'application/json',
      ),
    );
    expectForbidden(await call(otherCreator.auth, 'DELETE', `/inventory/managedObjects/${id}`));
    expectForbidden(await call(otherCreator.auth, 'GET', `/inventory/binaries/${id}`));
    // Its own list shows only its own objects.
    const list = json(await call(otherCreator.auth, 'GET', '/inventory/binaries?pageSize=100'));
    expect(
      (list.managedObjects as Array<{ owner: string }>).every((object) => object.owner === 'other-creator'),
    ).toBe(true);
    const download = await call(app.auth(), 'GET', `/inventory/binaries/${id}`);
    expect(download.body.toString()).toBe('content of not-yours.txt');
  });

  it('lets ROLE_INVENTORY_READ read and list but not write', async () => {
    const id = String(json(await upload(creator.auth, 'readable.txt')).id);
    expect((await call(reader.auth, 'GET', `/inventory/binaries/${id}`)).status).toBe(200);
    expect((await call(reader.auth, 'GET', `/inventory/managedObjects/${id}`)).status).toBe(200);
    expect((await call(reader.auth, 'GET', '/inventory/binaries')).status).toBe(200);
    expectForbidden(await upload(reader.auth));
    expectForbidden(await call(reader.auth, 'PUT', `/inventory/binaries/${id}`, 'x', 'text/plain'));
    expectForbidden(await call(reader.auth, 'DELETE', `/inventory/binaries/${id}`));
  });

  it('lets ROLE_INVENTORY_ADMIN change anything in its tenant', async () => {
    const id = String(json(await upload(creator.auth, 'admin-may.txt')).id);
    expect(
      (await call(inventoryAdmin.auth, 'PUT', `/inventory/binaries/${id}`, 'by admin', 'text/plain')).status,
    ).toBe(201);
    expect((await call(inventoryAdmin.auth, 'DELETE', `/inventory/binaries/${id}`)).status).toBe(204);
  });

  it('refuses users without inventory roles', async () => {
    expectForbidden(await upload(outsider.auth));
    expectForbidden(await call(outsider.auth, 'GET', '/inventory/binaries'));
  });

  it("answers 404 for another tenant's binary, even to that tenant's admin", async () => {
    const id = String(json(await upload(app.auth(), 'tenant-private.txt')).id);
    for (const [method, path] of [
      ['GET', `/inventory/binaries/${id}`],
      ['HEAD', `/inventory/binaries/${id}`],
      ['DELETE', `/inventory/binaries/${id}`],
      ['GET', `/inventory/managedObjects/${id}`],
      ['DELETE', `/inventory/managedObjects/${id}`],
    ]) {
      expect((await call(otherTenant.auth, method, path)).status).toBe(404);
    }
    expect((await call(otherTenant.auth, 'PUT', `/inventory/binaries/${id}`, 'x', 'text/plain')).status).toBe(
      404,
    );
    const list = json(await call(otherTenant.auth, 'GET', '/inventory/binaries'));
    expect(list.managedObjects).toEqual([]);
    expect((await call(app.auth(), 'GET', `/inventory/binaries/${id}`)).body.toString()).toBe(
      'content of tenant-private.txt',
    );
  });
});
