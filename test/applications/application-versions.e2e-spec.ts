import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  archiveIds,
  asBytes,
  createHostedApp,
  getApp,
  JSON_ACCEPT,
  uploadOk,
  type CreatedApp,
} from '../support/hosted-app-kit';
import { createTenant } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { blobFiles } from '../inventory-binaries/binaries-test-kit';
import { filesOf, zipOf } from '../support/zip-kit';
import { pluginZip, postVersion, postVersionOk, VERSION_ACCEPT, versionsOf } from './versions-test-kit';

const LIMIT = 4;

describe('application versions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ APPLICATION_VERSIONS_LIMIT: String(LIMIT), ARCHIVE_RETENTION: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = (appId: string, path = ''): string => `/application/applications/${appId}${path}`;
  const get = (url: string, accept = JSON_ACCEPT) =>
    request(t.server).get(url).set('Authorization', t.auth()).set('Accept', accept);
  const putTags = (appId: string, version: string, tags: unknown) =>
    request(t.server)
      .put(api(appId, `/versions/${version}`))
      .set('Authorization', t.auth())
      .set('Accept', VERSION_ACCEPT)
      .send({ tags });
  const deleteVersion = (appId: string, query: string) =>
    request(t.server)
      .delete(api(appId, `/versions?${query}`))
      .set('Authorization', t.auth());
  const bytes = (url: string) => get(url, '*/*').buffer(true).parse(asBytes);
  const plugin = (): Promise<CreatedApp> =>
    createHostedApp(t, { manifest: { isPackage: true, package: 'plugin' } });

  describe('POST /versions', () => {
    it('stores the first version as latest and active, with its manifest, as a downloadable archive', async () => {
      const app = await plugin();
      const zip = pluginZip('1.0.0', {}, { exports: [{ name: 'Widget', module: 'WidgetModule' }] });
      const response = await postVersion(t, app.id, zip, {
        applicationVersion: { version: '1.0.0' },
        fileName: 'widget-1.0.0.zip',
      });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toContain('cumulocity.applicationversion+json');
      const created = response.body as { version: string; binaryId: string; tags: string[] };
      expect(created).toEqual({ version: '1.0.0', binaryId: expect.any(String), tags: ['latest'] });

      const application = await getApp(t, app.id);
      expect(application).toMatchObject({
        activeVersionId: created.binaryId,
        applicationVersions: [created],
        manifest: { isPackage: true, version: '1.0.0', exports: [{ name: 'Widget' }] },
      });
      const archive = await bytes(api(app.id, `/binaries/${created.binaryId}`));
      expect(Buffer.compare(archive.body as Buffer, zip)).toBe(0);
      const object = await get(`/inventory/managedObjects/${created.binaryId}`);
      expect(object.status).toBe(200);
      expect(object.body).toMatchObject({
        name: 'widget-1.0.0.zip',
        type: `c8y_applications_storage_${app.id}`,
      });
    });

    it("takes the version from the zip's cumulocity.json when the part has none, or is missing", async () => {
      const app = await plugin();
      const first = await postVersion(t, app.id, pluginZip('2.1.0'), {
        applicationVersion: { tags: ['beta'] },
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ version: '2.1.0', tags: ['beta', 'latest'] });
      const second = await postVersion(t, app.id, pluginZip('2.2.0'));
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ version: '2.2.0', tags: [] });
      const unversioned = zipOf({ 'remoteEntry.js': '1', 'cumulocity.json': '{"isPackage":true}' });
      const refused = await postVersion(t, app.id, unversioned, { applicationVersion: {} });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toContain('version');
    });

    it('stores a no-filename, no-Content-Type applicationBinary of more than 1 MiB whole', async () => {
      const app = await plugin();
      const big = randomBytes(1536 * 1024);
      const zip = pluginZip('1.0.0', { 'assets/big.bin': big });
      expect(zip.length).toBeGreaterThan(1024 * 1024);
      const response = await postVersion(t, app.id, zip, {
        applicationVersion: { version: '1.0.0' },
        filename: null,
      });
      expect(response.status).toBe(201);
      const stored = await bytes(
        api(app.id, `/binaries/${(response.body as { binaryId: string }).binaryId}`),
      );
      expect(Buffer.compare(stored.body as Buffer, zip)).toBe(0);
      const served = await bytes(`/apps/${app.contextPath}@1.0.0/assets/big.bin`);
      expect(Buffer.compare(served.body as Buffer, big)).toBe(0);
    });

    it('refuses bad characters (422), a duplicate version, a taken tag and a tag equal to a version (409)', async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0', ['stable']);
      for (const applicationVersion of [
        { version: '1.0 beta' },
        { version: '1/0' },
        { version: 'latest' },
        { version: '1.1.0', tags: ['a_b'] },
        { version: '1.1.0', tags: 'next' },
      ]) {
        const response = await postVersion(t, app.id, pluginZip('1.1.0'), { applicationVersion });
        expect({ applicationVersion, status: response.status }).toEqual({ applicationVersion, status: 422 });
      }
      for (const applicationVersion of [
        { version: '1.0.0' },
        { version: '1.1.0', tags: ['stable'] },
        { version: '1.1.0', tags: ['1.0.0'] },
        { version: 'stable' },
      ]) {
        const response = await postVersion(t, app.id, pluginZip('1.1.0'), { applicationVersion });
        expect({ applicationVersion, status: response.status, error: response.body.error }).toEqual({
          applicationVersion,
          status: 409,
          error: 'applications/Duplicate',
        });
      }
      expect((await versionsOf(t, app.id)).map((version) => version.version)).toEqual(['1.0.0']);
    });

    it('moves latest to a new version that gets it, and the active version with it', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0');
      const second = await postVersionOk(t, app.id, '1.1.0', ['latest', 'next']);
      expect(second.tags).toEqual(['latest', 'next']);
      expect(await versionsOf(t, app.id)).toEqual([{ ...first, tags: [] }, second]);
      const application = await getApp(t, app.id);
      expect(application.activeVersionId).toBe(second.binaryId);
      expect(application.manifest).toMatchObject({ version: '1.1.0' });
      const third = await postVersionOk(t, app.id, '1.2.0', ['rc']);
      expect((await getApp(t, app.id)).activeVersionId).toBe(second.binaryId);
      expect(third.tags).toEqual(['rc']);
    });

    it(`answers 409 once an application holds APPLICATION_VERSIONS_LIMIT (${LIMIT}) versions`, async () => {
      const app = await plugin();
      for (let minor = 0; minor < LIMIT; minor++) await postVersionOk(t, app.id, `1.${minor}.0`);
      const over = await postVersion(t, app.id, pluginZip('9.0.0'), {
        applicationVersion: { version: '9.0.0' },
      });
      expect(over.status).toBe(409);
      expect(over.body.message).toContain('limit');
      expect(await versionsOf(t, app.id)).toHaveLength(LIMIT);
      const option = await get('/tenant/system/options/application/versions.limit');
      expect(option.status).toBe(200);
      expect(option.body).toEqual({ category: 'application', key: 'versions.limit', value: String(LIMIT) });
    });

    it('stays consistent under concurrent POSTs: one of each version, one holder of each tag', async () => {
      const app = await plugin();
      const sameVersion = await Promise.all(
        [1, 2, 3].map(() =>
          postVersion(t, app.id, pluginZip('1.0.0'), { applicationVersion: { version: '1.0.0' } }),
        ),
      );
      expect(sameVersion.map((response) => response.status).sort()).toEqual([201, 409, 409]);
      const sameTag = await Promise.all(
        ['2.0.0', '2.1.0', '2.2.0'].map((version) =>
          postVersion(t, app.id, pluginZip(version), { applicationVersion: { version, tags: ['rc'] } }),
        ),
      );
      expect(sameTag.map((response) => response.status).sort()).toEqual([201, 409, 409]);
      const versions = await versionsOf(t, app.id);
      expect(versions).toHaveLength(2);
      expect(versions.filter((version) => version.tags.includes('rc'))).toHaveLength(1);
      expect(versions.filter((version) => version.tags.includes('latest'))).toHaveLength(1);
    });

    it('deletes versions with their application', async () => {
      const app = await plugin();
      const version = await postVersionOk(t, app.id, '1.0.0');
      const deleted = await request(t.server).delete(api(app.id)).set('Authorization', t.auth());
      expect(deleted.status).toBe(204);
      expect((await get(`/inventory/managedObjects/${version.binaryId}`)).status).toBe(404);
    });

    it('is for HOSTED applications only (422)', async () => {
      const name = `ext-${Date.now()}`;
      const external = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send({ name, key: `${name}-key`, type: 'EXTERNAL', externalUrl: 'https://example.com' });
      expect(external.status).toBe(201);
      const id = (external.body as { id: string }).id;
      expect((await postVersion(t, id, pluginZip('1.0.0'))).status).toBe(422);
      expect((await get(api(id, '/versions'))).status).toBe(422);
      expect(external.body).not.toHaveProperty('applicationVersions');
    });
  });

  describe('what a failed or foreign call leaves', () => {
    it('a refused archive leaves no version, no archive and no blob', async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0');
      const before = { archives: await archiveIds(t, app.id), blobs: blobFiles(t.dataDir).length };
      const refused = await postVersion(t, app.id, Buffer.from('not a zip at all'), {
        applicationVersion: { version: '2.0.0', tags: [] },
      });
      expect(refused.status).toBe(422);
      expect((await versionsOf(t, app.id)).map((entry) => entry.version)).toEqual(['1.0.0']);
      expect({ archives: await archiveIds(t, app.id), blobs: blobFiles(t.dataDir).length }).toEqual(before);
    });

    it("another tenant's admin can neither read nor change an application's versions (404), nor serve them", async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0', ['stable']);
      const other = await createTenant(t, `versionsother${Date.now() % 100000}`);
      const as = (test: request.Test) => test.set('Authorization', other.auth).set('Accept', VERSION_ACCEPT);
      const answers = {
        list: (await as(request(t.server).get(api(app.id, '/versions')))).status,
        one: (await as(request(t.server).get(api(app.id, '/versions?version=1.0.0')))).status,
        post: (
          await postVersion(t, app.id, pluginZip('9.0.0'), {
            applicationVersion: { version: '9.0.0', tags: [] },
            auth: other.auth,
          })
        ).status,
        put: (await as(request(t.server).put(api(app.id, '/versions/1.0.0'))).send({ tags: ['mine'] }))
          .status,
        delete: (await as(request(t.server).delete(api(app.id, '/versions?version=1.0.0')))).status,
        clone: (await as(request(t.server).post(api(app.id, '/clone')))).status,
        serve: (await as(request(t.server).get(`/apps/${app.contextPath}@1.0.0/remoteEntry.js`))).status,
      };
      expect(answers).toEqual({
        list: 404,
        one: 404,
        post: 404,
        put: 404,
        delete: 404,
        clone: 404,
        serve: 404,
      });
      const versions = await versionsOf(t, app.id);
      expect(versions.map((entry) => [entry.version, entry.tags])).toEqual([['1.0.0', ['stable', 'latest']]]);
    });
  });

  describe('GET /versions', () => {
    it('answers 404 for a HOSTED application without versions (as Cumulocity does)', async () => {
      const app = await createHostedApp(t);
      const response = await get(api(app.id, '/versions'));
      expect(response.status).toBe(404);
      expect(response.body.error).toBe('applications/Not Found');
      expect((await getApp(t, app.id)).applicationVersions).toEqual([]);
    });

    it('selects one version by ?version= or ?tag= (both: 422, unknown: 404)', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0', ['stable']);
      await postVersionOk(t, app.id, '1.1.0', ['next']);
      const list = await get(api(app.id, '/versions'));
      expect(list.headers['content-type']).toContain('cumulocity.applicationversioncollection+json');
      const byVersion = await get(api(app.id, '/versions?version=1.0.0'), VERSION_ACCEPT);
      expect(byVersion.status).toBe(200);
      expect(byVersion.headers['content-type']).toContain('cumulocity.applicationversion+json');
      expect(byVersion.body).toEqual(first);
      expect((await get(api(app.id, '/versions?tag=stable'))).body).toEqual(first);
      expect((await get(api(app.id, '/versions?tag=next'))).body).toMatchObject({ version: '1.1.0' });
      expect((await get(api(app.id, '/versions?version=1.0.0&tag=next'))).status).toBe(422);
      expect((await get(api(app.id, '/versions?version=3.0.0'))).status).toBe(404);
      expect((await get(api(app.id, '/versions?tag=1.0.0'))).status).toBe(404);
    });
  });

  describe('PUT /versions/{version}', () => {
    it('replaces the tags ([] is legal), moves latest and the active version, and reads + as a plus', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0+build.7', ['v1-info']);
      const second = await postVersionOk(t, app.id, '1.0.1', ['latest']);
      expect((await getApp(t, app.id)).activeVersionId).toBe(second.binaryId);

      const moved = await putTags(app.id, '1.0.0+build.7', ['latest', 'v1-info']);
      expect(moved.status).toBe(200);
      expect(moved.body).toEqual({ ...first, tags: ['latest', 'v1-info'] });
      expect((await get(api(app.id, '/versions?tag=latest'))).body).toMatchObject({
        version: '1.0.0+build.7',
      });
      expect((await getApp(t, app.id)).activeVersionId).toBe(first.binaryId);
      expect((await get(api(app.id, '/versions?version=1.0.1'))).body.tags).toEqual([]);

      expect((await putTags(app.id, '1.0.1', ['v1-info'])).status).toBe(409);
      expect((await putTags(app.id, '1.0.1', ['1.0.0+build.7'])).status).toBe(409);
      expect((await putTags(app.id, '1.0.1', ['bad tag'])).status).toBe(422);
      expect((await putTags(app.id, '9.9.9', [])).status).toBe(404);
      const cleared = await putTags(app.id, '1.0.1', []);
      expect(cleared.status).toBe(200);
      expect(cleared.body.tags).toEqual([]);
    });

    it('keeps an explicit PUT of activeVersionId working (latest stays where it is)', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0');
      const second = await postVersionOk(t, app.id, '1.1.0');
      const put = await request(t.server)
        .put(api(app.id))
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send({ activeVersionId: second.binaryId });
      expect(put.status).toBe(200);
      expect(put.body.activeVersionId).toBe(second.binaryId);
      expect((await get(api(app.id, '/versions?tag=latest'))).body.binaryId).toBe(first.binaryId);
      expect((await bytes(`/apps/${app.contextPath}/remoteEntry.js`)).body.toString()).toContain('1.1.0');
    });
  });

  describe('DELETE /versions', () => {
    it('deletes by version or tag, ignores other parameters, refuses the latest or active one (409)', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0');
      const second = await postVersionOk(t, app.id, '1.1.0', ['next']);
      await postVersionOk(t, app.id, '1.2.0', ['rc']);

      const latest = await deleteVersion(app.id, 'version=1.0.0');
      expect(latest.status).toBe(409);
      expect((await deleteVersion(app.id, 'version=1.1.0&tag=next')).status).toBe(422);
      expect((await deleteVersion(app.id, 'binaryId=5')).status).toBe(422);
      expect((await deleteVersion(app.id, 'version=7.0.0')).status).toBe(404);

      const byVersion = await deleteVersion(
        app.id,
        `version=1.1.0&binaryId=${second.binaryId}&tags=a&tags=b`,
      );
      expect(byVersion.status).toBe(204);
      expect((await get(api(app.id, `/binaries/${second.binaryId}`), '*/*')).status).toBe(404);
      expect((await deleteVersion(app.id, 'tag=rc')).status).toBe(204);
      expect(await versionsOf(t, app.id)).toEqual([first]);

      // Active without latest (tags cleared): still refused.
      expect((await putTags(app.id, '1.0.0', [])).status).toBe(200);
      expect((await deleteVersion(app.id, 'version=1.0.0')).status).toBe(409);
    });

    it('a version archive cannot be deleted through /binaries, and retention never drops one', async () => {
      const app = await plugin();
      const first = await postVersionOk(t, app.id, '1.0.0');
      const second = await postVersionOk(t, app.id, '1.1.0');
      const viaBinaries = await request(t.server)
        .delete(api(app.id, `/binaries/${second.binaryId}`))
        .set('Authorization', t.auth());
      expect(viaBinaries.status).toBe(409);
      // ARCHIVE_RETENTION is 1 here: two plain archives later, both versions are still there.
      await uploadOk(t, app.id, zipOf({ 'index.html': 'a' }));
      await uploadOk(t, app.id, zipOf({ 'index.html': 'b' }));
      expect((await versionsOf(t, app.id)).map((version) => version.binaryId)).toEqual([
        first.binaryId,
        second.binaryId,
      ]);
      for (const version of [first, second])
        expect((await get(api(app.id, `/binaries/${version.binaryId}`), '*/*')).status).toBe(200);
    });
  });

  describe('the application object', () => {
    it('filters on ?hasVersions=true|false and refuses other values', async () => {
      const withVersions = await plugin();
      await postVersionOk(t, withVersions.id, '1.0.0');
      const without = await createHostedApp(t);
      const ids = async (query: string): Promise<string[]> => {
        const response = await get(`/application/applications?pageSize=2000&${query}`);
        expect(response.status).toBe(200);
        return (response.body as { applications: Array<{ id: string }> }).applications.map((app) => app.id);
      };
      const yes = await ids('hasVersions=true');
      const no = await ids('hasVersions=false');
      expect(yes).toContain(withVersions.id);
      expect(yes).not.toContain(without.id);
      expect(no).toContain(without.id);
      expect(no).not.toContain(withVersions.id);
      expect((await get('/application/applications?hasVersions=maybe')).status).toBe(422);
    });

    it('takes isPackage/package from the top level of a POST body and echoes unknown properties', async () => {
      const name = `toolkit-${Date.now()}`;
      const response = await request(t.server)
        .post('/application/applications')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send({
          name,
          key: `${name}-key`,
          contextPath: name,
          type: 'HOSTED',
          isPackage: true,
          package: 'plugin',
          version: '3.0.0',
          webSdkVersion: '1023.77.1',
          exports: [{ name: 'X', module: 'XModule' }],
        });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        isPackage: true,
        package: 'plugin',
        version: '3.0.0',
        webSdkVersion: '1023.77.1',
        exports: [{ name: 'X' }],
        manifest: { isPackage: true, package: 'plugin' },
        applicationVersions: [],
      });
    });
  });

  describe('hosting by version and tag', () => {
    it('serves each version under @version and @tag; unknown is a 404; the plain path is the active one', async () => {
      const app = await plugin();
      const v1 = pluginZip('1.0.0', { 'docs/README.md': '# one' });
      const v2 = pluginZip('2.0.0', { 'docs/README.md': '# two' });
      await postVersionOk(t, app.id, '1.0.0', ['stable'], v1);
      await postVersionOk(t, app.id, '2.0.0', ['next'], v2);
      const ctx = app.contextPath;
      for (const [prefix, zip] of [
        [`${ctx}@1.0.0`, v1],
        [`${ctx}@stable`, v1],
        [`${ctx}@latest`, v1],
        [ctx, v1],
        [`${ctx}@2.0.0`, v2],
        [`${ctx}@next`, v2],
      ] as const) {
        for (const [file, content] of Object.entries(filesOf(zip))) {
          const served = await bytes(`/apps/${prefix}/${file}?nocache=${Date.now()}`);
          expect({
            url: `${prefix}/${file}`,
            status: served.status,
            body: (served.body as Buffer).toString(),
          }).toEqual({ url: `${prefix}/${file}`, status: 200, body: content });
        }
      }
      expect((await bytes(`/apps/${ctx}@3.0.0/remoteEntry.js`)).status).toBe(404);
      expect((await bytes(`/apps/${ctx}@/remoteEntry.js`)).status).toBe(404);
      const missing = await bytes(`/apps/${ctx}@1.0.0/missing-chunk.js`);
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).not.toContain('text/html');
      const encoded = await bytes(`/apps/${ctx}%401.0.0/remoteEntry.js`);
      expect((encoded.body as Buffer).toString()).toContain('1.0.0');
    });
    it('caches @version URLs as immutable, never tags or the active path', async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0', ['stable']);
      const ctx = app.contextPath;
      const cacheControl = async (prefix: string) =>
        (await bytes(`/apps/${prefix}/remoteEntry.js`)).headers['cache-control'];
      expect(await cacheControl(`${ctx}@1.0.0`)).toBe('private, max-age=31536000, immutable');
      for (const prefix of [`${ctx}@stable`, `${ctx}@latest`, ctx])
        expect([prefix, await cacheControl(prefix)]).toEqual([prefix, 'no-cache']);
    });

    it('serves a moved tag and a deleted version at once here, and in every other process', async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0', ['next']);
      await postVersionOk(t, app.id, '2.0.0', []);
      const ctx = app.contextPath;
      const second = await startTestApp({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir });
      try {
        const served = async (server: TestApp, prefix: string) => {
          const response = await request(server.server)
            .get(`/apps/${prefix}/remoteEntry.js`)
            .set('Authorization', t.auth())
            .buffer(true)
            .parse(asBytes);
          return response.status === 200 ? (response.body as Buffer).toString() : response.status;
        };
        /** The other process learns of a change by a PostgreSQL notification: wait for it, bounded. */
        const eventually = async (prefix: string, expected: string | number) => {
          let seen = await served(second, prefix);
          for (let attempt = 0; attempt < 100 && seen !== expected; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            seen = await served(second, prefix);
          }
          expect([prefix, seen]).toEqual([prefix, expected]);
        };
        const v1 = 'var plugin = { version: "1.0.0" };';
        const v2 = 'var plugin = { version: "2.0.0" };';
        // Both processes have answered (and cached) what @next serves.
        expect(await served(t, `${ctx}@next`)).toBe(v1);
        expect(await served(second, `${ctx}@next`)).toBe(v1);

        // A tag has one holder: it moves by leaving one version and joining another.
        expect((await putTags(app.id, '1.0.0', [])).status).toBe(200);
        expect((await putTags(app.id, '2.0.0', ['next'])).status).toBe(200);
        expect(await served(t, `${ctx}@next`)).toBe(v2);
        await eventually(`${ctx}@next`, v2);

        expect(await served(second, `${ctx}@2.0.0`)).toBe(v2);
        expect((await putTags(app.id, '2.0.0', [])).status).toBe(200);
        expect((await deleteVersion(app.id, 'version=2.0.0')).status).toBe(204);
        expect(await served(t, `${ctx}@2.0.0`)).toBe(404);
        await eventually(`${ctx}@2.0.0`, 404);
        await eventually(`${ctx}@next`, 404);
      } finally {
        await second.close();
      }
    });
  });

  describe('POST /clone', () => {
    it('copies a package under clone-prefixed names with its latest version, then clone1..., ?version= picks one', async () => {
      const app = await plugin();
      await postVersionOk(t, app.id, '1.0.0', [], pluginZip('1.0.0'));
      await postVersionOk(t, app.id, '2.0.0', ['next'], pluginZip('2.0.0'));
      const clone = (query = '') =>
        request(t.server)
          .post(api(app.id, `/clone${query}`))
          .set('Authorization', t.auth())
          .set('Accept', 'application/json')
          .set('Content-Type', 'application/json')
          .send('');
      const first = await clone();
      expect(first.status).toBe(201);
      const source = await getApp(t, app.id);
      expect(first.body).toMatchObject({
        name: `clone${app.name}`,
        key: `clone${source.key as string}`,
        contextPath: `clone${app.contextPath}`,
        type: 'HOSTED',
        manifest: { isPackage: true, version: '1.0.0' },
        applicationVersions: [{ version: '1.0.0', tags: ['latest'] }],
      });
      expect(first.body.id).not.toBe(app.id);
      expect(first.body.activeVersionId).not.toBe(source.activeVersionId);
      const served = await bytes(`/apps/clone${app.contextPath}/remoteEntry.js`);
      expect((served.body as Buffer).toString()).toBe(filesOf(pluginZip('1.0.0'))['remoteEntry.js']);

      const second = await clone('?version=next');
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({
        name: `clone1${app.name}`,
        contextPath: `clone1${app.contextPath}`,
        applicationVersions: [{ version: '2.0.0', tags: ['latest'] }],
      });
      expect((await clone('?version=9.9.9')).status).toBe(404);

      // The clone's context path can be changed, and it is served there.
      const renamed = `${app.contextPath}-copy`;
      const put = await request(t.server)
        .put(api(second.body.id as string))
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .send({ contextPath: renamed });
      expect(put.status).toBe(200);
      expect((await bytes(`/apps/${renamed}/remoteEntry.js`)).body.toString()).toContain('2.0.0');
      expect((await bytes(`/apps/${renamed}@2.0.0/remoteEntry.js`)).body.toString()).toContain('2.0.0');
    });

    it('copies a plain hosted application with its active archive and no versions', async () => {
      const app = await createHostedApp(t, { description: 'plain' });
      await uploadOk(t, app.id, zipOf({ 'index.html': '<html>plain</html>' }));
      const response = await request(t.server)
        .post(api(app.id, '/clone'))
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        name: `clone${app.name}`,
        description: 'plain',
        applicationVersions: [],
      });
      expect((await bytes(`/apps/clone${app.contextPath}/`)).body.toString()).toBe('<html>plain</html>');
    });
  });
});
