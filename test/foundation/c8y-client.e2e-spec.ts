import { Client } from '@c8y/client';
import { startTestApp, type TestApp } from '../support/test-app';

// The official Web SDK client against the user and tenant API (it sends `UseXBasic: true`).
describe('@c8y/client user and tenant services', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('authenticates with and without a tenant prefix (Client.authenticate reads currentTenant)', async () => {
    const withTenant = await Client.authenticate(
      { tenant: t.admin.tenant, user: t.admin.user, password: t.admin.password },
      t.baseUrl,
    );
    expect(withTenant.core.tenant).toBe('management');
    const withoutTenant = await Client.authenticate(
      { user: t.admin.user, password: t.admin.password },
      t.baseUrl,
    );
    expect(withoutTenant.core.tenant).toBe('management');
  });

  it('reads the current user with effective roles and manages users', async () => {
    const client = await Client.authenticate(
      { tenant: t.admin.tenant, user: t.admin.user, password: t.admin.password },
      t.baseUrl,
    );
    const { data: me } = await client.user.currentWithEffectiveRoles();
    expect(me.userName).toBe('admin');
    expect(me.effectiveRoles?.map((role) => role.id)).toContain('ROLE_INVENTORY_ADMIN');

    const { data: created, res } = await client.user.create({
      userName: 'sdk-user',
      displayName: 'SDK User',
      password: 'sdk-user-pw',
    });
    expect(res.status).toBe(201);
    expect(created.userName).toBe('sdk-user');

    const { data: users } = await client.user.list({ pageSize: 100 });
    expect(users.map((user) => user.userName)).toEqual(expect.arrayContaining(['admin', 'sdk-user']));

    const { data: detail } = await client.user.detail('sdk-user');
    expect(detail.id).toBe('sdk-user');

    const { res: deleted } = await client.user.delete('sdk-user');
    expect(deleted.status).toBe(204);
  });

  it('rejects wrong credentials', async () => {
    await expect(
      Client.authenticate({ tenant: 'management', user: 'admin', password: 'wrong' }, t.baseUrl),
    ).rejects.toMatchObject({
      res: { status: 401 },
      data: { error: 'security/Unauthorized' },
    });
  });
});
