import request from 'supertest';
import { adminC8yClient } from '../support/c8y-client';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { createHostedApp, getApp, JSON_ACCEPT, uploadOk } from '../support/hosted-app-kit';
import { startTestApp, type TestApp } from '../support/test-app';
import { zipOf } from '../support/zip-kit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as {
  Client: new (options: { connectionString: string }) => {
    connect(): Promise<void>;
    query(text: string, values?: unknown[]): Promise<unknown>;
    end(): Promise<void>;
  };
};

/** What a Web SDK shell asks around its files: its manifest, and config PUTs of its remotes. */
describe('a shell around /apps', () => {
  let t: TestApp;
  let plainUser: CreatedUser;
  let other: CreatedTenant;

  beforeAll(async () => {
    t = await startTestApp();
    plainUser = await createUser(t, { userName: 'shell-user', roles: [] });
    other = await createTenant(t, 'othershell');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /application/applications/{contextPath}/manifest', () => {
    it('answers {application} for any user of the tenant, as the official client reads it', async () => {
      const app = await createHostedApp(t, { noAppSwitcher: true });
      const response = await request(t.server)
        .get(`/application/applications/${app.contextPath}/manifest`)
        .set('Authorization', plainUser.auth);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        application: {
          id: app.id,
          contextPath: app.contextPath,
          key: `${app.name}-key`,
          noAppSwitcher: true,
        },
      });

      const { data } = await adminC8yClient(t).application.getManifestOfContextPath(app.contextPath);
      expect(data.id).toBe(app.id);
    });

    it('answers 404 for an unknown context path and for another tenant’s application', async () => {
      const app = await createHostedApp(t);
      const unknown = await request(t.server)
        .get('/application/applications/no-such-context/manifest')
        .set('Authorization', plainUser.auth);
      expect(unknown.status).toBe(404);
      expect((unknown.body as { error: string }).error).toBe('applications/Not Found');
      const foreign = await request(t.server)
        .get(`/application/applications/${app.contextPath}/manifest`)
        .set('Authorization', other.auth);
      expect(foreign.status).toBe(404);
      expect(
        (await request(t.server).get(`/application/applications/${app.contextPath}/manifest`)).status,
      ).toBe(401);
    });
  });

  describe('PUT of config', () => {
    const put = (id: string, body: Record<string, unknown>) =>
      request(t.server)
        .put(`/application/applications/${id}`)
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send(body);

    it('replaces the top-level config object wholesale: removed remotes are gone', async () => {
      const app = await createHostedApp(t, {
        config: { remotes: { 'plugin@1.0.0': ['PluginModule'] }, excludedRemotes: { x: ['Y'] } },
      });
      // As NGX resetRemotes sends it: remotes undefined (dropped by JSON), the rest kept.
      const reset = await put(app.id, { id: app.id, config: { excludedRemotes: { x: ['Y'] } } });
      expect(reset.status).toBe(200);
      expect((reset.body as { config: unknown }).config).toEqual({ excludedRemotes: { x: ['Y'] } });
      expect((await getApp(t, app.id)).config).toEqual({ excludedRemotes: { x: ['Y'] } });

      expect((await put(app.id, { config: {} })).status).toBe(200);
      expect((await getApp(t, app.id)).config).toEqual({});
      // A PUT without config leaves it alone.
      expect((await put(app.id, { description: 'd' })).status).toBe(200);
      expect((await getApp(t, app.id)).config).toEqual({});
    });
  });

  describe('every process follows changes', () => {
    it('drops its cached answer when another process (here: plain SQL) changes the application', async () => {
      const app = await createHostedApp(t, { public: true });
      await uploadOk(t, app.id, zipOf({ 'index.html': 'hello' }));
      const url = `/apps/public/${app.contextPath}/`;
      expect((await request(t.server).get(url)).text).toBe('hello');
      expect((await request(t.server).get(url)).text).toBe('hello');

      const sql = new Client({ connectionString: t.databaseUrl });
      await sql.connect();
      try {
        await sql.query(`UPDATE applications SET extra = extra - 'public' WHERE id = $1`, [app.id]);
      } finally {
        await sql.end();
      }
      // The trigger's notification arrives asynchronously: poll for the state, bounded.
      let status = 200;
      for (let attempt = 0; attempt < 100 && status === 200; attempt++) {
        status = (await request(t.server).get(url)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(404);
    });
  });
});
