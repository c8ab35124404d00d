import { Role } from '@depot/common';
import { ApplicationAvailability } from '@c8y/client';
import { deployZipFile } from '@c8y/toolkit/dist/utils/deploy';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { adminC8yClient } from '../support/c8y-client';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { createHostedApp, JSON_ACCEPT, type CreatedApp } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';

/**
 * Tenant subscriptions (`/tenant/tenants/{tenant}/applications`), the application filters that
 * depend on them (`subscriber`, `providedFor`, `tenant`, `user`, `availability`) and
 * `applicationsByUser`. Every filter is tested with an application it must leave out.
 */
describe('application subscriptions and the filters on them', () => {
  let t: TestApp;
  let sub: CreatedTenant;
  let market: CreatedApp; // management's, MARKET, subscribed by `sub`
  let shared: CreatedApp; // management's, SHARED
  let privateApp: CreatedApp; // management's, PRIVATE
  let subOwn: CreatedApp; // sub's own, PRIVATE
  let appReader: CreatedUser; // management user, may read applications only
  let disabled: CreatedUser;

  beforeAll(async () => {
    t = await startTestApp();
    sub = await createTenant(t, 'subscriber1');
    market = await createHostedApp(t, { availability: 'MARKET' });
    shared = await createHostedApp(t, { availability: 'SHARED' });
    privateApp = await createHostedApp(t);
    subOwn = await createHostedApp(t, {}, sub.auth);
    appReader = await createUser(t, { userName: 'app-reader', roles: [Role.ApplicationManagementRead] });
    disabled = await createUser(t, { userName: 'gone-user', roles: [] });
    const disabling = await request(t.server)
      .put(`/user/${t.admin.tenant}/users/${disabled.userName}`)
      .set('Authorization', t.auth())
      .send({ enabled: false });
    expect(disabling.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const subscribe = (tenant: string, body: unknown, auth = t.auth()) =>
    request(t.server)
      .post(`/tenant/tenants/${tenant}/applications`)
      .set('Authorization', auth)
      .set('Accept', JSON_ACCEPT)
      .send(body as object);
  const ref = (app: CreatedApp) => ({
    application: { self: `${t.baseUrl}/application/applications/${app.id}` },
  });
  const get = (path: string, auth = t.auth()) =>
    request(t.server).get(path).set('Authorization', auth).set('Accept', JSON_ACCEPT);
  const appIds = async (path: string, auth = t.auth()): Promise<string[]> => {
    const response = await get(path, auth);
    expect([path, response.status]).toEqual([path, 200]);
    return (response.body.applications as Array<{ id: string }>).map((app) => app.id).sort();
  };

  describe('POST/GET/DELETE /tenant/tenants/{tenant}/applications', () => {
    it('subscribes a tenant to a MARKET application by self: 201, Location, applicationReference', async () => {
      const response = await subscribe(sub.id, ref(market));
      expect(response.status).toBe(201);
      const self = `${t.baseUrl}/tenant/tenants/${sub.id}/applications/${market.id}`;
      expect(response.headers.location).toBe(self);
      expect(response.headers['content-type']).toContain(
        'application/vnd.com.nsn.cumulocity.applicationreference+json',
      );
      expect(response.body).toMatchObject({ self, application: { id: market.id, name: market.name } });
    });

    it('accepts {"application":{"id":...}} and is idempotent (one subscription)', async () => {
      expect((await subscribe(sub.id, { application: { id: market.id } })).status).toBe(201);
      const list = await get(`/tenant/tenants/${sub.id}/applications?withTotalElements=true`);
      expect(list.status).toBe(200);
      expect(list.body.statistics.totalElements).toBe(1);
      expect(list.body.references.map((r: { application: { id: string } }) => r.application.id)).toEqual([
        market.id,
      ]);
    });

    it('refuses what a tenant cannot be given or a body that names nothing', async () => {
      // PRIVATE to its owner: not for another tenant.
      const privateOne = await subscribe(sub.id, ref(privateApp));
      expect(privateOne.status).toBe(422);
      expect(privateOne.body.error).toBe('applications/Invalid Data');
      for (const body of [{}, { application: {} }, { application: { id: 'abc' } }, []]) {
        const bad = await subscribe(sub.id, body);
        expect([body, bad.status]).toEqual([body, 422]);
      }
      expect((await subscribe(sub.id, { application: { id: '99999999' } })).status).toBe(404);
      expect((await subscribe('no-such-tenant', ref(market))).status).toBe(404);
    });

    it('lets a sub-tenant subscribe only itself to its own applications', async () => {
      // Management's MARKET app: only the owner or the management tenant may give it out.
      expect((await subscribe(sub.id, ref(market), sub.auth)).status).toBe(403);
      // Another tenant: not visible to the sub-tenant.
      expect((await subscribe(t.admin.tenant, ref(subOwn), sub.auth)).status).toBe(404);
      // Another tenant's PRIVATE application: none of its business.
      expect((await subscribe(sub.id, ref(privateApp), sub.auth)).status).toBe(404);
      const own = await subscribe(sub.id, ref(subOwn), sub.auth);
      expect(own.status).toBe(201);
      const list = await get(`/tenant/tenants/${sub.id}/applications`, sub.auth);
      expect(
        list.body.references.map((r: { application: { id: string } }) => r.application.id).sort(),
      ).toEqual([market.id, subOwn.id].sort());
      // A sub-tenant cannot read another tenant's subscriptions.
      expect((await get(`/tenant/tenants/${t.admin.tenant}/applications`, sub.auth)).status).toBe(404);
    });

    it('pages the references with Cumulocity links', async () => {
      const response = await get(`/tenant/tenants/${sub.id}/applications?pageSize=1&withTotalPages=true`);
      expect(response.status).toBe(200);
      expect(response.body.references).toHaveLength(1);
      expect(response.body.statistics).toMatchObject({ pageSize: 1, currentPage: 1, totalPages: 2 });
      expect(response.body.next).toContain('currentPage=2');
    });

    it('needs an admin role to subscribe', async () => {
      expect((await subscribe(t.admin.tenant, ref(market), appReader.auth)).status).toBe(403);
    });

    it('unsubscribes: 204, then 404; the owner cannot unsubscribe another tenant it cannot see', async () => {
      expect(
        (
          await request(t.server)
            .delete(`/tenant/tenants/${sub.id}/applications/${subOwn.id}`)
            .set('Authorization', sub.auth)
        ).status,
      ).toBe(204);
      const again = await request(t.server)
        .delete(`/tenant/tenants/${sub.id}/applications/${subOwn.id}`)
        .set('Authorization', sub.auth);
      expect(again.status).toBe(404);
      const elsewhere = await request(t.server)
        .delete(`/tenant/tenants/${t.admin.tenant}/applications/${market.id}`)
        .set('Authorization', sub.auth);
      expect(elsewhere.status).toBe(404);
      // Management's subscription of the sub-tenant: the sub-tenant does not own the application.
      const notOwner = await request(t.server)
        .delete(`/tenant/tenants/${sub.id}/applications/${market.id}`)
        .set('Authorization', sub.auth);
      expect(notOwner.status).toBe(403);
      expect((await subscribe(sub.id, ref(subOwn), sub.auth)).status).toBe(201);
    });

    it('answers 404 when the application is deleted while it is being subscribed', async () => {
      const doomed = await createHostedApp(t, { availability: 'MARKET' });
      const dataSource = t.app.get(DataSource);
      // Stands in for a DELETE that commits between reading the application and inserting the row.
      await dataSource.query(`CREATE FUNCTION depot_test_race() RETURNS trigger AS $$
        BEGIN DELETE FROM applications WHERE id = NEW.application_id; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await dataSource.query(`CREATE TRIGGER depot_test_race BEFORE INSERT ON application_subscriptions
        FOR EACH ROW EXECUTE FUNCTION depot_test_race()`);
      try {
        const response = await subscribe(sub.id, ref(doomed));
        expect(response.status).toBe(404);
        expect(response.body.error).toBe('applications/Not Found');
      } finally {
        await dataSource.query('DROP TRIGGER depot_test_race ON application_subscriptions');
        await dataSource.query('DROP FUNCTION depot_test_race()');
      }
      // The failed insert rolled the trigger's delete back with it.
      const deleted = await request(t.server)
        .delete(`/application/applications/${doomed.id}`)
        .set('Authorization', t.auth());
      expect(deleted.status).toBe(204);
    });

    it('deletes the subscriptions with the application', async () => {
      const doomed = await createHostedApp(t, { availability: 'MARKET' });
      expect((await subscribe(sub.id, ref(doomed))).status).toBe(201);
      const deleted = await request(t.server)
        .delete(`/application/applications/${doomed.id}`)
        .set('Authorization', t.auth());
      expect(deleted.status).toBe(204);
      const list = await get(`/tenant/tenants/${sub.id}/applications?pageSize=100`);
      expect(
        list.body.references.map((r: { application: { id: string } }) => r.application.id),
      ).not.toContain(doomed.id);
    });
  });

  describe('GET /application/applications filters', () => {
    it('lists what the tenant owns and what it is subscribed to, and lets it read a subscribed one', async () => {
      expect(await appIds('/application/applications?pageSize=100', sub.auth)).toEqual(
        [market.id, subOwn.id].sort(),
      );
      expect((await get(`/application/applications/${market.id}`, sub.auth)).status).toBe(200);
      expect((await get(`/application/applications/${privateApp.id}`, sub.auth)).status).toBe(404);
    });

    it('subscriber: the applications that tenant is subscribed to', async () => {
      expect(await appIds(`/application/applications?subscriber=${sub.id}&pageSize=100`)).toEqual([
        market.id,
      ]);
      expect(await appIds(`/application/applications?subscriber='${sub.id}'&pageSize=100`)).toEqual([
        market.id,
      ]);
      expect(await appIds('/application/applications?subscriber=nobody&pageSize=100')).toEqual([]);
    });

    it('providedFor: subscribed but not owned', async () => {
      expect(await appIds(`/application/applications?providedFor=${sub.id}&pageSize=100`, sub.auth)).toEqual([
        market.id,
      ]);
      expect(await appIds(`/application/applications?subscriber=${sub.id}&pageSize=100`, sub.auth)).toEqual(
        [market.id, subOwn.id].sort(),
      );
    });

    it('tenant: owned by or subscribed to that tenant', async () => {
      expect(await appIds(`/application/applications?tenant=${sub.id}&pageSize=100`, sub.auth)).toEqual(
        [market.id, subOwn.id].sort(),
      );
      expect(
        await appIds(`/application/applications?tenant=${t.admin.tenant}&pageSize=100`, sub.auth),
      ).toEqual([market.id]);
      expect(await appIds(`/application/applicationsByTenant/${sub.id}?pageSize=100`)).toEqual([market.id]);
    });

    it('availability: exact, any case; anything else is a 422', async () => {
      expect(await appIds('/application/applications?availability=SHARED&pageSize=100')).toEqual([shared.id]);
      expect(await appIds('/application/applications?availability=market&pageSize=100')).toEqual([market.id]);
      const bad = await get('/application/applications?availability=PUBLIC');
      expect(bad.status).toBe(422);
      expect(bad.body.message).toContain('availability');
    });

    it('user: what an enabled user of the tenant can use; nothing for an unknown or disabled user', async () => {
      const all = await appIds('/application/applications?pageSize=100');
      expect(all).toEqual(expect.arrayContaining([market.id, shared.id, privateApp.id]));
      expect(await appIds(`/application/applications?user=${appReader.userName}&pageSize=100`)).toEqual(all);
      expect(await appIds('/application/applications?user=nobody&pageSize=100')).toEqual([]);
      expect(await appIds(`/application/applications?user=${disabled.userName}&pageSize=100`)).toEqual([]);
      // Filters combine.
      expect(
        await appIds(`/application/applications?user=${appReader.userName}&availability=MARKET&pageSize=100`),
      ).toEqual([market.id]);
    });
  });

  describe('GET /application/applicationsByUser/{userName}', () => {
    it('lists the applications the user can use, paged, for the user themself', async () => {
      const response = await get(
        `/application/applicationsByUser/admin?pageSize=1&withTotalElements=true`,
        sub.auth,
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('applicationcollection');
      expect(response.body.applications).toHaveLength(1);
      expect(response.body.statistics.totalElements).toBe(2);
      expect(response.body.next).toContain('currentPage=2');
    });

    it('needs user and application read roles for another user', async () => {
      expect((await get('/application/applicationsByUser/admin', appReader.auth)).status).toBe(403);
      expect(await appIds(`/application/applicationsByUser/${appReader.userName}?pageSize=100`)).toEqual(
        await appIds('/application/applications?pageSize=100'),
      );
      expect(await appIds('/application/applicationsByUser/nobody')).toEqual([]);
    });

    it('answers @c8y/client application.listByUser', async () => {
      const client = adminC8yClient(t);
      const { data } = await client.application.listByUser(appReader.userName, { pageSize: 100 });
      expect(data.map((app) => String(app.id)).sort()).toEqual(
        await appIds('/application/applications?pageSize=100'),
      );
      const { data: none } = await client.application.listByUser('nobody');
      expect(none).toEqual([]);
    });

    it('answers @c8y/client tenant.subscribeApplication and unsubscribeApplication', async () => {
      const client = adminC8yClient(t);
      const extra = await createHostedApp(t, { availability: 'MARKET' });
      await client.tenant.subscribeApplication(
        { id: sub.id },
        { id: extra.id, self: extra.body.self as string },
      );
      expect(await appIds(`/application/applications?subscriber=${sub.id}&pageSize=100`)).toContain(extra.id);
      await client.tenant.unsubscribeApplication({ id: sub.id }, { id: extra.id });
      expect(await appIds(`/application/applications?subscriber=${sub.id}&pageSize=100`)).not.toContain(
        extra.id,
      );
    });
  });

  describe('the Web SDK availability check (applicationsByUser with noPaging and dropOverwrittenApps)', () => {
    it('noPaging: one page of every application, not the default 5', async () => {
      for (let i = 0; i < 5; i += 1) await createHostedApp(t);
      const visible = await appIds('/application/applications?pageSize=100');
      expect(visible.length).toBeGreaterThan(5);
      const response = await get('/application/applicationsByUser/admin?noPaging=true');
      expect(response.status).toBe(200);
      expect(response.body.applications).toHaveLength(visible.length);
      expect(response.body.statistics.pageSize).toBe(2000);
      const last = await createHostedApp(t);
      const { data: available } = await adminC8yClient(t).application.isAvailable(last.name);
      expect(available).toBe(true);
      expect((await get('/application/applicationsByUser/admin?noPaging=maybe')).status).toBe(422);
    });

    it("dropOverwrittenApps: a subscribed application is left out when one of the tenant's own has its contextPath", async () => {
      const mine = await createHostedApp(t, { contextPath: market.contextPath }, sub.auth);
      const ids = async (query: string) =>
        appIds(`/application/applicationsByUser/admin?pageSize=100${query}`, sub.auth);
      expect(await ids('')).toEqual(expect.arrayContaining([market.id, mine.id]));
      const dropped = await ids('&dropOverwrittenApps=true');
      expect(dropped).toContain(mine.id);
      expect(dropped).not.toContain(market.id);
      expect(dropped).toContain(subOwn.id);
      expect(await ids('&dropOverwrittenApps=false')).toContain(market.id);
    });
  });

  describe('@c8y/toolkit deploy --availability MARKET', () => {
    let workDir: string;
    let exitSpy: jest.SpyInstance;

    beforeAll(() => {
      workDir = mkdtempSync(path.join(tmpdir(), 'depot-toolkit-market-'));
      exitSpy = jest.spyOn(process, 'exit').mockImplementation((code) => {
        throw new Error(`toolkit called process.exit(${String(code)})`);
      });
      jest.spyOn(console, 'log').mockImplementation(() => undefined);
      jest.spyOn(console, 'info').mockImplementation(() => undefined);
      jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    });
    afterAll(() => {
      jest.restoreAllMocks();
      rmSync(workDir ?? '', { recursive: true, force: true });
    });

    const deploy = async (version: string): Promise<void> => {
      const zipPath = path.join(workDir, `market-demo-${version}.zip`);
      writeFileSync(
        zipPath,
        zipOf({
          'index.html': `<!doctype html><html><body>${version}</body></html>`,
          'cumulocity.json': JSON.stringify({
            name: 'Market Demo',
            contextPath: 'market-demo',
            key: 'market-demo-key',
            version,
          }),
        }),
      );
      await deployZipFile(zipPath, {
        url: t.baseUrl,
        user: sub.admin.user,
        password: sub.admin.password,
        tenant: sub.id,
        availability: ApplicationAvailability.MARKET,
      });
    };

    it('subscribes the current tenant, and a second deploy subscribes again without failing', async () => {
      await deploy('1.0.0');
      await deploy('1.0.1');
      expect(exitSpy).not.toHaveBeenCalled();
      const [app] = (await get('/application/applicationsByName/Market Demo', sub.auth)).body
        .applications as Array<{
        id: string;
      }>;
      expect(
        await appIds(`/application/applications?subscriber=${sub.id}&name=Market Demo`, sub.auth),
      ).toEqual([app.id]);
      const references = await get(`/tenant/tenants/${sub.id}/applications?pageSize=100`, sub.auth);
      const subscribed = (references.body.references as Array<{ application: { id: string } }>).filter(
        (r) => r.application.id === app.id,
      );
      expect(subscribed).toHaveLength(1);
    });
  });
});
