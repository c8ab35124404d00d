import { Role } from '@depot/common';
import request from 'supertest';
import { createTenant, createUser, type CreatedTenant, type CreatedUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { blobFiles } from './applications-test-kit';
import { createHostedApp, getApp, JSON_ACCEPT, uniqueName, uploadOk } from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

describe('applications CRUD', () => {
  let t: TestApp;
  let reader: CreatedUser;
  let other: CreatedTenant;

  beforeAll(async () => {
    t = await startTestApp();
    reader = await createUser(t, { userName: 'app-reader', roles: [Role.ApplicationManagementRead] });
    other = await createTenant(t, 'otherapps');
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: unknown, auth = t.auth()) =>
    request(t.server)
      .post('/application/applications')
      .set('Authorization', auth)
      .set('Accept', JSON_ACCEPT)
      .send(body as object);

  describe('POST /application/applications', () => {
    it('creates a HOSTED application: 201, Location, owner shape, defaults and extra fields kept', async () => {
      const name = uniqueName();
      const response = await post({
        name,
        key: `${name}-key`,
        type: 'HOSTED',
        contextPath: name,
        description: 'my app',
        noAppSwitcher: true,
        config: { remotes: {} },
        id: 'ignored',
        owner: { tenant: { id: 'someone-else' } },
        activeVersionId: '999',
      });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toContain(
        'application/vnd.com.nsn.cumulocity.application+json',
      );
      const body = response.body as Record<string, unknown>;
      expect(body.id).toMatch(/^\d+$/);
      expect(response.headers.location).toBe(`${t.baseUrl}/application/applications/${String(body.id)}`);
      expect(body).toMatchObject({
        self: response.headers.location,
        name,
        key: `${name}-key`,
        type: 'HOSTED',
        availability: 'PRIVATE',
        contextPath: name,
        description: 'my app',
        noAppSwitcher: true,
        config: { remotes: {} },
        owner: { self: `${t.baseUrl}/tenant/tenants/${t.admin.tenant}`, tenant: { id: t.admin.tenant } },
      });
      expect(body.activeVersionId).toBeUndefined();
    });

    it('creates an EXTERNAL application with its externalUrl', async () => {
      const name = uniqueName('ext');
      const response = await post({
        name,
        key: `${name}-key`,
        type: 'EXTERNAL',
        externalUrl: 'https://example.com/x',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ type: 'EXTERNAL', externalUrl: 'https://example.com/x' });
    });

    it('answers with an empty body when the request has no Accept header (Cumulocity rule)', async () => {
      const name = uniqueName();
      const response = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .send({ name, key: `${name}-key`, type: 'HOSTED', contextPath: name });
      expect(response.status).toBe(201);
      expect(response.text).toBe('');
      expect(response.headers.location).toMatch(/\/application\/applications\/\d+$/);
    });

    it.each([
      ['MICROSERVICE', { type: 'MICROSERVICE', contextPath: 'ms' }, /MICROSERVICE/],
      ['an unknown type', { type: 'WIDGET' }, /type/],
      ['a missing type', { type: undefined }, /type/],
      ['a HOSTED app without contextPath', { type: 'HOSTED', contextPath: undefined }, /contextPath/],
      ['an EXTERNAL app without externalUrl', { type: 'EXTERNAL', contextPath: undefined }, /externalUrl/],
      [
        'an EXTERNAL app with a non-http URL',
        { type: 'EXTERNAL', externalUrl: 'javascript:alert(1)' },
        /externalUrl/,
      ],
      ['a missing name', { name: undefined }, /name/],
      ['an empty key', { key: '' }, /key/],
      ['a numeric name', { name: 42 }, /name/],
      ['a context path with a slash', { contextPath: 'a/b' }, /contextPath/],
      ['a context path of ..', { contextPath: '..' }, /contextPath/],
      ['an unknown availability', { availability: 'EVERYONE' }, /availability/],
      ['a manifest that is not an object', { manifest: [1] }, /manifest/],
    ])('refuses %s with 422 applications/Invalid Data', async (_label, overrides, message) => {
      const name = uniqueName();
      const response = await post({
        name,
        key: `${name}-key`,
        type: 'HOSTED',
        contextPath: name,
        ...overrides,
      });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'applications/Invalid Data' });
      expect((response.body as { message: string }).message).toMatch(message);
    });

    it.each([['a JSON array', '[]']])('refuses %s as body with 422', async (_label, raw) => {
      const response = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'applications/Invalid Data' });
    });

    it('refuses malformed JSON with a Cumulocity error body', async () => {
      const response = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', 'application/json')
        .send('{"name":');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect((response.body as { error: string }).error).toMatch(/^applications\//);
    });

    it.each(['name', 'key', 'contextPath'])(
      'answers 409 applications/Duplicate for a duplicate %s',
      async (field) => {
        const existing = await createHostedApp(t);
        const name = uniqueName();
        const body: Record<string, unknown> = { name, key: `${name}-key`, type: 'HOSTED', contextPath: name };
        body[field] =
          field === 'key' ? existing.body.key : field === 'name' ? existing.name : existing.contextPath;
        const response = await post(body);
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ error: 'applications/Duplicate' });
        expect((response.body as { message: string }).message).toContain(field);
      },
    );

    it('allows the same name in another tenant', async () => {
      const existing = await createHostedApp(t);
      const response = await post(
        { name: existing.name, key: existing.body.key, type: 'HOSTED', contextPath: existing.contextPath },
        other.auth,
      );
      expect(response.status).toBe(201);
    });

    it('needs ROLE_APPLICATION_MANAGEMENT_ADMIN (403) and credentials (401)', async () => {
      const name = uniqueName();
      const body = { name, key: `${name}-key`, type: 'HOSTED', contextPath: name };
      expect((await post(body, reader.auth)).status).toBe(403);
      const anonymous = await request(t.server).post('/application/applications').send(body);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    });
  });

  describe('GET', () => {
    let hosted: Awaited<ReturnType<typeof createHostedApp>>;
    let external: string;
    beforeAll(async () => {
      hosted = await createHostedApp(t, { description: 'listed' });
      const name = uniqueName('ext');
      external = (
        (await post({ name, key: `${name}-key`, type: 'EXTERNAL', externalUrl: 'http://localhost/x' }))
          .body as {
          id: string;
        }
      ).id;
    });

    it('gets one application; 404 applications/Not Found for unknown, junk and foreign ids', async () => {
      const one = await request(t.server)
        .get(`/application/applications/${hosted.id}`)
        .set('Authorization', reader.auth)
        .set('Accept', JSON_ACCEPT);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: hosted.id, name: hosted.name, description: 'listed' });
      for (const [id, auth] of [
        ['999999999', t.auth()],
        ['abc', t.auth()],
        ['-1', t.auth()],
        ['99999999999999999999999', t.auth()],
        [hosted.id, other.auth],
      ]) {
        const response = await request(t.server)
          .get(`/application/applications/${id}`)
          .set('Authorization', auth);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ error: 'applications/Not Found' });
      }
    });

    it('lists with paging, statistics and next/prev links', async () => {
      const first = await request(t.server)
        .get('/application/applications?pageSize=2&withTotalElements=true&withTotalPages=true')
        .set('Authorization', reader.auth)
        .set('Accept', JSON_ACCEPT);
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/applicationcollection\+json/i);
      const body = first.body as {
        applications: { id: string }[];
        statistics: Record<string, number>;
        next?: string;
        self: string;
      };
      expect(body.applications).toHaveLength(2);
      expect(body.statistics).toMatchObject({ currentPage: 1, pageSize: 2 });
      expect(body.statistics.totalElements).toBeGreaterThanOrEqual(2);
      expect(body.next).toContain('currentPage=2');
      const second = await request(t.server)
        .get(new URL(body.next!).pathname + new URL(body.next!).search)
        .set('Authorization', reader.auth);
      const secondBody = second.body as { applications: { id: string }[]; prev?: string };
      expect(secondBody.prev).toContain('currentPage=1');
      const firstIds = body.applications.map((application) => application.id);
      expect(secondBody.applications.every((application) => !firstIds.includes(application.id))).toBe(true);
    });

    it('filters by name, type (comma list), owner and tenant', async () => {
      const list = async (query: string) => {
        const response = await request(t.server)
          .get(`/application/applications?pageSize=2000&${query}`)
          .set('Authorization', t.auth());
        expect(response.status).toBe(200);
        return (response.body as { applications: { id: string; type: string }[] }).applications;
      };
      expect((await list(`name=${hosted.name}`)).map((application) => application.id)).toEqual([hosted.id]);
      const externals = await list('type=EXTERNAL');
      expect(externals.map((application) => application.id)).toContain(external);
      expect(externals.every((application) => application.type === 'EXTERNAL')).toBe(true);
      const both = (await list('type=EXTERNAL,HOSTED')).map((application) => application.id);
      expect(both).toEqual(expect.arrayContaining([hosted.id, external]));
      expect(await list('type=MICROSERVICE')).toEqual([]);
      expect((await list(`owner=${t.admin.tenant}`)).length).toBe(both.length);
      expect(await list('owner=nobody')).toEqual([]);
      expect((await list(`tenant=${t.admin.tenant}`)).length).toBe(both.length);
      expect(await list(`tenant=${other.id}`)).toEqual([]);
    });

    it('refuses junk filters and paging with 422', async () => {
      for (const query of ['type=WIDGET', 'pageSize=abc', 'currentPage=0', 'name=a&name=b']) {
        const response = await request(t.server)
          .get(`/application/applications?${query}`)
          .set('Authorization', t.auth());
        expect(response.status).toBe(422);
        expect((response.body as { error: string }).error).toBe('applications/Invalid Data');
      }
    });

    it('lists by name, owner and tenant', async () => {
      const byName = await request(t.server)
        .get(`/application/applicationsByName/${hosted.name}`)
        .set('Authorization', reader.auth);
      expect(byName.status).toBe(200);
      expect((byName.body as { applications: { id: string }[] }).applications.map((a) => a.id)).toEqual([
        hosted.id,
      ]);
      for (const path of ['applicationsByOwner', 'applicationsByTenant']) {
        const mine = await request(t.server)
          .get(`/application/${path}/${t.admin.tenant}?pageSize=2000`)
          .set('Authorization', t.auth());
        expect((mine.body as { applications: { id: string }[] }).applications.map((a) => a.id)).toEqual(
          expect.arrayContaining([hosted.id, external]),
        );
        // Another tenant's id lists nothing of this tenant, and never that tenant's applications.
        const foreign = await request(t.server)
          .get(`/application/${path}/${other.id}`)
          .set('Authorization', t.auth());
        expect((foreign.body as { applications: unknown[] }).applications).toEqual([]);
      }
    });

    it('lists only the caller tenant’s applications', async () => {
      const response = await request(t.server)
        .get('/application/applications?pageSize=2000')
        .set('Authorization', other.auth);
      const owners = (
        response.body as { applications: { owner: { tenant: { id: string } } }[] }
      ).applications.map((application) => application.owner.tenant.id);
      expect(owners.every((owner) => owner === other.id)).toBe(true);
    });
  });

  describe('PUT /application/applications/{id}', () => {
    const put = (id: string, body: unknown, auth = t.auth()) =>
      request(t.server)
        .put(`/application/applications/${id}`)
        .set('Authorization', auth)
        .set('Accept', JSON_ACCEPT)
        .send(body as object);

    it('tolerates the whole object sent back (read-only and unknown fields) and merges changes', async () => {
      const app = await createHostedApp(t, { description: 'before', extraField: 1 });
      const whole = {
        ...(await getApp(t, app.id)),
        description: 'after',
        newField: { a: 1 },
        extraField: null,
      };
      const response = await put(app.id, whole);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: app.id,
        description: 'after',
        newField: { a: 1 },
        type: 'HOSTED',
      });
      expect((response.body as Record<string, unknown>).extraField).toBeUndefined();
      expect(await getApp(t, app.id)).toMatchObject({ description: 'after', newField: { a: 1 } });
    });

    it('changes name, availability and manifest; keeps what is not sent', async () => {
      const app = await createHostedApp(t, { description: 'kept' });
      const name = uniqueName('renamed');
      const response = await put(app.id, { name, availability: 'MARKET', manifest: { noAppSwitcher: true } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        name,
        availability: 'MARKET',
        manifest: { noAppSwitcher: true },
        description: 'kept',
        contextPath: app.contextPath,
      });
    });

    it('refuses to change the type (422) but accepts the same type', async () => {
      const app = await createHostedApp(t);
      expect((await put(app.id, { type: 'HOSTED' })).status).toBe(200);
      const changed = await put(app.id, { type: 'EXTERNAL', externalUrl: 'https://x.example' });
      expect(changed.status).toBe(422);
      expect(changed.body).toMatchObject({ error: 'applications/Invalid Data' });
    });

    it('refuses to drop the contextPath of a HOSTED application (422)', async () => {
      const app = await createHostedApp(t);
      expect((await put(app.id, { contextPath: null })).status).toBe(422);
    });

    it('answers 409 when renaming onto another application', async () => {
      const first = await createHostedApp(t);
      const second = await createHostedApp(t);
      const response = await put(second.id, { contextPath: first.contextPath });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ error: 'applications/Duplicate' });
    });

    it('activates one of its own archives; 404 for another application’s archive or any other id', async () => {
      const app = await createHostedApp(t);
      const v1 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v1' }));
      const v2 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v2' }));
      expect((await getApp(t, app.id)).activeVersionId).toBe(v2);
      const activated = await put(app.id, { activeVersionId: v1 });
      expect(activated.status).toBe(200);
      expect((activated.body as { activeVersionId: string }).activeVersionId).toBe(v1);
      // Numbers are accepted as ids too (some tools send them).
      expect((await put(app.id, { activeVersionId: Number(v2) })).status).toBe(200);

      const otherApp = await createHostedApp(t);
      const foreign = await uploadOk(t, otherApp.id, zipOf());
      const binary = await request(t.server)
        .post('/inventory/binaries')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .field('object', JSON.stringify({ name: 'plain.bin', type: 'application/octet-stream' }))
        .attach('file', Buffer.from('plain'), 'plain.bin');
      expect(binary.status).toBe(201);
      for (const id of [foreign, (binary.body as { id: string }).id, '999999999', 'abc']) {
        const response = await put(app.id, { activeVersionId: id });
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ error: 'applications/Not Found' });
      }
      expect((await getApp(t, app.id)).activeVersionId).toBe(v2);
    });

    it('takes the manifest from the archive it activates, over a stale one sent beside it', async () => {
      const app = await createHostedApp(t);
      const manifestZip = (version: string) =>
        zipOf({ 'index.html': version, 'cumulocity.json': JSON.stringify({ version }) });
      const v1 = await uploadOk(t, app.id, manifestZip('1.0.0'));
      const stale = await getApp(t, app.id);
      await uploadOk(t, app.id, manifestZip('2.0.0'));
      expect((await getApp(t, app.id)).manifest).toEqual({ version: '2.0.0' });
      // What the toolkit does: PUT the object read before the upload, with the new activeVersionId.
      const latest = (await getApp(t, app.id)).activeVersionId;
      expect((await put(app.id, { ...stale, activeVersionId: latest })).body).toMatchObject({
        manifest: { version: '2.0.0' },
      });
      const back = await put(app.id, { activeVersionId: v1 });
      expect(back.body).toMatchObject({ activeVersionId: v1, manifest: { version: '1.0.0' } });
    });

    it('answers 404 for unknown ids and other tenants, 403 for readers', async () => {
      const app = await createHostedApp(t);
      expect((await put('999999999', { description: 'x' })).status).toBe(404);
      expect((await put(app.id, { description: 'x' }, other.auth)).status).toBe(404);
      expect((await put(app.id, { description: 'x' }, reader.auth)).status).toBe(403);
      expect((await put(app.id, [1, 2])).status).toBe(422);
    });
  });

  describe('DELETE /application/applications/{id}', () => {
    it('deletes the application, its archives and their blobs', async () => {
      const app = await createHostedApp(t);
      const v1 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v1' }));
      const v2 = await uploadOk(t, app.id, zipOf({ 'index.html': 'v2' }));
      const blobsBefore = blobFiles(t).length;
      expect(
        (await request(t.server).get(`/inventory/binaries/${v1}`).set('Authorization', t.auth())).status,
      ).toBe(200);
      const response = await request(t.server)
        .delete(`/application/applications/${app.id}`)
        .set('Authorization', t.auth());
      expect(response.status).toBe(204);
      expect(
        (await request(t.server).get(`/application/applications/${app.id}`).set('Authorization', t.auth()))
          .status,
      ).toBe(404);
      for (const archive of [v1, v2])
        expect(
          (await request(t.server).get(`/inventory/binaries/${archive}`).set('Authorization', t.auth()))
            .status,
        ).toBe(404);
      expect(blobFiles(t).length).toBe(blobsBefore - 2);
      // The name is free again.
      expect(
        (await post({ name: app.name, key: app.body.key, type: 'HOSTED', contextPath: app.contextPath }))
          .status,
      ).toBe(201);
    });

    it('answers 404 for unknown ids and other tenants, 403 for readers', async () => {
      const app = await createHostedApp(t);
      const del = (id: string, auth: string) =>
        request(t.server).delete(`/application/applications/${id}`).set('Authorization', auth);
      expect((await del('999999999', t.auth())).status).toBe(404);
      expect((await del(app.id, other.auth)).status).toBe(404);
      expect((await del(app.id, reader.auth)).status).toBe(403);
      expect((await getApp(t, app.id)).id).toBe(app.id);
    });
  });
});
