import { BasicAuth, Client } from '@c8y/client';
import request from 'supertest';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { basicAuth, startTestApp, type TestApp } from '../support/test-app';

const JSON_ACCEPT = 'application/json';

/** `PUT /user/currentUser`, and the user and tenant list filters that need data Depot holds. */
describe('currentUser changes and user/tenant filters', () => {
  let t: TestApp;
  let alpha: CreatedTenant;
  let beta: CreatedTenant;

  beforeAll(async () => {
    t = await startTestApp();
    alpha = await createTenant(t, 'alphaco');
    beta = await createTenant(t, 'betaco');
    for (const userName of ['device_a1', 'device_b2', 'plain-user', 'devices-admin'])
      await createUser(t, { userName, roles: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, auth = t.auth()) =>
    request(t.server).get(path).set('Authorization', auth).set('Accept', JSON_ACCEPT);
  const putCurrent = (body: unknown, auth: string) =>
    request(t.server)
      .put('/user/currentUser')
      .set('Authorization', auth)
      .set('Accept', JSON_ACCEPT)
      .send(body as object);

  describe('PUT /user/currentUser', () => {
    let user: CreatedUser;
    beforeEach(async () => {
      user = await createUser(t, { userName: `self-${Date.now()}`, roles: [] });
    });

    it('changes firstName, lastName, email and phone of the caller, and GET shows them', async () => {
      const response = await putCurrent(
        { firstName: 'New', lastName: 'Name', email: 'new@example.com', phone: '+49 1' },
        user.auth,
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('currentuser');
      expect(response.body).toMatchObject({ userName: user.userName, firstName: 'New', phone: '+49 1' });
      const current = await get('/user/currentUser', user.auth);
      expect(current.body).toMatchObject({
        firstName: 'New',
        lastName: 'Name',
        email: 'new@example.com',
        phone: '+49 1',
      });
      // The caller's login still works: a profile edit ends no session.
      expect((await get('/user/currentUser', user.auth)).status).toBe(200);
      // Only the caller changed.
      const admin = await get('/user/currentUser');
      expect(admin.body.firstName).toBeUndefined();
    });

    it('ignores the read-only fields a client sends back as it read them', async () => {
      const current = (await get('/user/currentUser', user.auth)).body as Record<string, unknown>;
      const response = await putCurrent({ ...current, lastName: 'Echo' }, user.auth);
      expect(response.status).toBe(200);
      expect(response.body.lastName).toBe('Echo');
      // effectiveRoles is what the user has, not a request for more.
      const escalate = await putCurrent(
        { effectiveRoles: [{ id: 'ROLE_USER_MANAGEMENT_ADMIN' }] },
        user.auth,
      );
      expect(escalate.status).toBe(200);
      expect(escalate.body.effectiveRoles).toEqual([]);
    });

    it.each([
      [{ roles: { references: [] } }, 'roles'],
      [{ groups: { references: [] } }, 'groups'],
      [{ enabled: false }, 'enabled'],
      [{ userName: 'someone-else' }, 'userName'],
      [{ password: 'new-password-1' }, 'currentUserPassword'],
      [{ firstName: 42 }, 'firstName'],
    ])('refuses %j with a 422 naming %s', async (body, name) => {
      const response = await putCurrent(body, user.auth);
      expect(response.status).toBe(422);
      expect(response.body.error).toBe('users/Invalid Data');
      expect(response.body.message).toContain(name);
      expect((await get('/user/currentUser', user.auth)).body.enabled).toBe(true);
    });

    it('changes the password with the current one, through the hasher, ending the old login', async () => {
      const wrong = await putCurrent(
        { password: 'brand-new-pw-1', currentUserPassword: 'not-it' },
        user.auth,
      );
      expect(wrong.status).toBe(422);
      const changed = await putCurrent(
        { password: 'brand-new-pw-1', currentUserPassword: user.password },
        user.auth,
      );
      expect(changed.status).toBe(200);
      expect((await get('/user/currentUser', user.auth)).status).toBe(401);
      const fresh = basicAuth(user.tenant, user.userName, 'brand-new-pw-1');
      expect((await get('/user/currentUser', fresh)).status).toBe(200);
    });

    it('answers @c8y/client user.updateCurrent', async () => {
      const client = new Client(
        new BasicAuth({ tenant: user.tenant, user: user.userName, password: user.password }),
        t.baseUrl,
      );
      const { data } = await client.user.updateCurrent({ userName: user.userName, firstName: 'Sdk' });
      expect(data.firstName).toBe('Sdk');
      expect((await client.user.current()).data.firstName).toBe('Sdk');
    });
  });

  describe('GET /user/{tenant}/users', () => {
    const userNames = async (query: string): Promise<string[]> => {
      const response = await get(`/user/${t.admin.tenant}/users?pageSize=100&${query}`);
      expect([query, response.status]).toEqual([query, 200]);
      return (response.body.users as Array<{ userName: string }>).map((u) => u.userName);
    };

    it('onlyDevices=true keeps only device_ users, false drops them, combined with username', async () => {
      expect(await userNames('onlyDevices=true')).toEqual(['device_a1', 'device_b2']);
      const notDevices = await userNames('onlyDevices=false');
      expect(notDevices).toEqual(expect.arrayContaining(['admin', 'plain-user', 'devices-admin']));
      expect(notDevices.filter((name) => name.startsWith('device_'))).toEqual([]);
      expect(await userNames('onlyDevices=true&username=device_b')).toEqual(['device_b2']);
      const bad = await get(`/user/${t.admin.tenant}/users?onlyDevices=maybe`);
      expect(bad.status).toBe(422);
      expect(bad.body.message).toContain('onlyDevices');
    });

    it('ignores withSubusersCount (a decoration) and refuses groups and owner', async () => {
      expect(await userNames('withSubusersCount=true')).toEqual(await userNames(''));
      for (const name of ['groups', 'owner']) {
        const response = await get(`/user/${t.admin.tenant}/users?${name}=x`);
        expect(response.status).toBe(422);
        expect(response.body.message).toContain(name);
      }
    });
  });

  describe('GET /tenant/tenants', () => {
    const tenantIds = async (query: string): Promise<string[]> => {
      const response = await get(`/tenant/tenants?pageSize=100&withTotalElements=true&${query}`);
      expect([query, response.status]).toEqual([query, 200]);
      const ids = (response.body.tenants as Array<{ id: string }>).map((tenant) => tenant.id);
      expect(response.body.statistics.totalElements).toBe(ids.length);
      return ids;
    };

    it('filters by exact domain and company, quoted or not', async () => {
      expect(await tenantIds(`domain=${alpha.id}.example.com`)).toEqual([alpha.id]);
      expect(await tenantIds(`company='${beta.id} Inc.'`)).toEqual([beta.id]);
      expect(await tenantIds('domain=example.com')).toEqual([]);
    });

    it('filters by parent: the management tenant is every other tenant parent and has none', async () => {
      expect((await tenantIds(`parent=${t.admin.tenant}`)).sort()).toEqual([alpha.id, beta.id].sort());
      expect(await tenantIds(`parent=${alpha.id}`)).toEqual([]);
      expect(await tenantIds('')).toContain(t.admin.tenant);
    });
  });
});
