import { ALL_ROLES, Role } from '@depot/common';
import request from 'supertest';
import { createTenant, createUser } from '../support/factories';
import { basicAuth, startTestApp, type TestApp } from '../support/test-app';

describe('user and tenant API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /tenant/currentTenant names the tenant', async () => {
    const response = await request(t.server).get('/tenant/currentTenant').set('Authorization', t.auth());
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/cumulocity\.currenttenant\+json/i);
    expect(response.body).toMatchObject({ name: 'management', self: `${t.baseUrl}/tenant/currentTenant` });
  });

  it('GET /user/currentUser has id, userName and every role for the bootstrap admin', async () => {
    const response = await request(t.server).get('/user/currentUser').set('Authorization', t.auth());
    expect(response.body.id).toBe('admin');
    expect(response.body.userName).toBe('admin');
    const roles = (response.body.effectiveRoles as Array<{ id: string; name: string; self: string }>).map(
      (r) => r.id,
    );
    expect(roles.sort()).toEqual([...ALL_ROLES].sort());
    expect(response.body.effectiveRoles[0].self).toMatch(new RegExp(`^${t.baseUrl}/user/roles/ROLE_`));
  });

  it('GET /tenant/loginOptions (public) offers Basic and OAuth-internal authentication', async () => {
    const response = await request(t.server).get('/tenant/loginOptions');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/cumulocity\.loginoptioncollection\+json/i);
    expect(response.body.loginOptions).toEqual([
      expect.objectContaining({ type: 'BASIC', userManagementSource: 'INTERNAL', visibleOnLoginPage: true }),
      expect.objectContaining({
        type: 'OAUTH2_INTERNAL',
        grantType: 'PASSWORD',
        initRequest: `${t.baseUrl}/tenant/oauth?tenant_id=management`,
      }),
    ]);
  });

  it('GET /user/roles lists the roles Depot knows', async () => {
    const response = await request(t.server).get('/user/roles?pageSize=100').set('Authorization', t.auth());
    expect(response.status).toBe(200);
    expect(response.body.roles.map((role: { name: string }) => role.name).sort()).toEqual(
      [...ALL_ROLES].sort(),
    );
  });

  it('creates, reads, lists and deletes users', async () => {
    const created = await request(t.server)
      .post('/user/management/users')
      .set('Authorization', t.auth())
      .set('Accept', 'application/json')
      .send({ userName: 'jane', password: 'jane-password', email: 'jane@example.com', firstName: 'Jane' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'jane',
      userName: 'jane',
      email: 'jane@example.com',
      firstName: 'Jane',
      enabled: true,
      self: `${t.baseUrl}/user/management/users/jane`,
    });
    expect(created.body.password).toBeUndefined();
    expect(created.body.passwordHash).toBeUndefined();

    const read = await request(t.server).get('/user/management/users/jane').set('Authorization', t.auth());
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toMatch(/cumulocity\.user\+json/i);

    const list = await request(t.server)
      .get('/user/management/users?pageSize=100')
      .set('Authorization', t.auth());
    expect(list.body.users.map((user: { userName: string }) => user.userName)).toEqual(
      expect.arrayContaining(['admin', 'jane']),
    );

    const deleted = await request(t.server)
      .delete('/user/management/users/jane')
      .set('Authorization', t.auth());
    expect(deleted.status).toBe(204);
    expect(
      (await request(t.server).get('/user/management/users/jane').set('Authorization', t.auth())).status,
    ).toBe(404);
    expect(
      (await request(t.server).delete('/user/management/users/jane').set('Authorization', t.auth())).status,
    ).toBe(404);
  });

  it('refuses to delete yourself', async () => {
    const response = await request(t.server)
      .delete('/user/management/users/admin')
      .set('Authorization', t.auth());
    expect(response.status).toBe(422);
  });

  it('assigns and removes roles, which take effect at once', async () => {
    const user = await createUser(t, { userName: 'roley', roles: [] });
    expect((await request(t.server).get('/user/roles').set('Authorization', user.auth)).status).toBe(403);

    const granted = await request(t.server)
      .post('/user/management/users/roley/roles')
      .set('Authorization', t.auth())
      .set('Accept', 'application/json')
      .send({ role: { self: `${t.baseUrl}/user/roles/ROLE_USER_MANAGEMENT_READ` } });
    expect(granted.status).toBe(201);
    expect(granted.body.role).toMatchObject({
      id: 'ROLE_USER_MANAGEMENT_READ',
      name: 'ROLE_USER_MANAGEMENT_READ',
    });
    expect((await request(t.server).get('/user/roles').set('Authorization', user.auth)).status).toBe(200);

    const me = await request(t.server).get('/user/currentUser').set('Authorization', user.auth);
    expect(me.body.effectiveRoles.map((role: { id: string }) => role.id)).toEqual([
      'ROLE_USER_MANAGEMENT_READ',
    ]);

    const removed = await request(t.server)
      .delete('/user/management/users/roley/roles/ROLE_USER_MANAGEMENT_READ')
      .set('Authorization', t.auth());
    expect(removed.status).toBe(204);
    expect((await request(t.server).get('/user/roles').set('Authorization', user.auth)).status).toBe(403);
    const again = await request(t.server)
      .delete('/user/management/users/roley/roles/ROLE_USER_MANAGEMENT_READ')
      .set('Authorization', t.auth());
    expect(again.status).toBe(404);
  });

  it('rejects unknown roles and role escalation', async () => {
    const unknown = await request(t.server)
      .post('/user/management/users/admin/roles')
      .set('Authorization', t.auth())
      .send({ role: { self: `${t.baseUrl}/user/roles/ROLE_GOD` } });
    expect(unknown.status).toBe(422);

    const userAdmin = await createUser(t, { userName: 'ua', roles: [Role.UserManagementAdmin] });
    await createUser(t, { userName: 'target', roles: [] });
    const escalate = await request(t.server)
      .post('/user/management/users/ua/roles')
      .set('Authorization', userAdmin.auth)
      .send({ role: { self: `${t.baseUrl}/user/roles/ROLE_TENANT_MANAGEMENT_ADMIN` } });
    expect(escalate.status).toBe(403);
    const allowed = await request(t.server)
      .post('/user/management/users/target/roles')
      .set('Authorization', userAdmin.auth)
      .send({ role: { self: `${t.baseUrl}/user/roles/ROLE_USER_MANAGEMENT_ADMIN` } });
    expect(allowed.status).toBe(201);
  });

  it('keeps a user admin from changing users with roles it lacks', async () => {
    const userAdmin = await createUser(t, { userName: 'helpdesk', roles: [Role.UserManagementAdmin] });
    const takeover = await request(t.server)
      .put('/user/management/users/admin')
      .set('Authorization', userAdmin.auth)
      .send({ password: 'taken-over-password' });
    expect(takeover.status).toBe(403);
    expect(takeover.body.error).toBe('security/Forbidden');
    const removal = await request(t.server)
      .delete('/user/management/users/admin')
      .set('Authorization', userAdmin.auth);
    expect(removal.status).toBe(403);
    const demotion = await request(t.server)
      .delete('/user/management/users/admin/roles/ROLE_INVENTORY_ADMIN')
      .set('Authorization', userAdmin.auth);
    expect(demotion.status).toBe(403);
    // Users with no more than the caller's roles are fine.
    const peer = await createUser(t, { userName: 'peer', roles: [] });
    const reset = await request(t.server)
      .put('/user/management/users/peer')
      .set('Authorization', userAdmin.auth)
      .send({ password: 'reset-by-helpdesk' });
    expect(reset.status).toBe(200);
    expect((await request(t.server).get('/user/currentUser').set('Authorization', t.auth())).status).toBe(
      200,
    );
    expect(peer.userName).toBe('peer');
  });

  it('lets a user change their own password', async () => {
    const user = await createUser(t, { userName: 'selfie', roles: [] });
    const wrong = await request(t.server)
      .put('/user/currentUser/password')
      .set('Authorization', user.auth)
      .send({ currentUserPassword: 'nope', newPassword: 'brand-new-pw' });
    expect(wrong.status).toBe(422);
    const changed = await request(t.server)
      .put('/user/currentUser/password')
      .set('Authorization', user.auth)
      .send({ currentUserPassword: user.password, newPassword: 'brand-new-pw' });
    expect(changed.status).toBe(200);
    expect((await request(t.server).get('/user/currentUser').set('Authorization', user.auth)).status).toBe(
      401,
    );
    const fresh = basicAuth('management', 'selfie', 'brand-new-pw');
    expect((await request(t.server).get('/user/currentUser').set('Authorization', fresh)).status).toBe(200);
  });

  describe('tenants', () => {
    it('POST /tenant/tenants creates a tenant and its admin', async () => {
      const response = await request(t.server)
        .post('/tenant/tenants')
        .set('Authorization', t.auth())
        .set('Accept', 'application/vnd.com.nsn.cumulocity.tenant+json')
        .send({
          company: 'Globex',
          domain: 'globex.example.com',
          adminName: 'boss',
          adminPass: 'boss-password',
        });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        company: 'Globex',
        domain: 'globex.example.com',
        adminName: 'boss',
      });
      expect(response.body.id).toMatch(/^t\d{8}$/);
      expect(response.headers.location).toBe(`${t.baseUrl}/tenant/tenants/${response.body.id}`);

      const boss = basicAuth(response.body.id as string, 'boss', 'boss-password');
      const current = await request(t.server).get('/tenant/currentTenant').set('Authorization', boss);
      expect(current.body.name).toBe(response.body.id);
      const me = await request(t.server).get('/user/currentUser').set('Authorization', boss);
      const roles = me.body.effectiveRoles.map((role: { id: string }) => role.id);
      expect(roles).toEqual(expect.arrayContaining([Role.InventoryAdmin, Role.UserManagementAdmin]));
      expect(roles).not.toContain(Role.TenantManagementAdmin);
    });

    it('rejects duplicates and bad bodies', async () => {
      await createTenant(t, 'dupe');
      const again = await request(t.server).post('/tenant/tenants').set('Authorization', t.auth()).send({
        id: 'dupe',
        company: 'x',
        domain: 'other.example.com',
        adminName: 'a',
        adminPass: 'long-enough',
      });
      expect(again.status).toBe(409);
      const bad = await request(t.server)
        .post('/tenant/tenants')
        .set('Authorization', t.auth())
        .send({ company: 'x', adminName: 'a' });
      expect(bad.status).toBe(422);
      expect(bad.body.error).toBe('tenants/Invalid Data');
    });

    it('only the management tenant creates tenants', async () => {
      const sub = await createTenant(t, 'subco');
      const response = await request(t.server)
        .post('/tenant/tenants')
        .set('Authorization', sub.auth)
        .send({ company: 'x', domain: 'x.example.com', adminName: 'a', adminPass: 'long-enough' });
      expect(response.status).toBe(403);
    });

    it("a tenant admin manages only its own tenant's users", async () => {
      const sub = await createTenant(t, 'island');
      const own = await createUser(t, { tenant: sub, userName: 'islander', roles: [Role.InventoryRead] });
      const me = await request(t.server).get('/user/currentUser').set('Authorization', own.auth);
      expect(me.body.userName).toBe('islander');
      const list = await request(t.server).get('/user/island/users').set('Authorization', sub.auth);
      expect(list.body.users.map((user: { userName: string }) => user.userName).sort()).toEqual([
        'admin',
        'islander',
      ]);
      const foreign = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', sub.auth)
        .send({ userName: 'mole', password: 'long-enough' });
      expect(foreign.status).toBe(404);
      // The management tenant's tenant admin may look in.
      const peek = await request(t.server).get('/user/island/users/islander').set('Authorization', t.auth());
      expect(peek.status).toBe(200);
    });
  });
});
