import { ApplicationsService, type ApplicationEntity } from '@depot/applications';
import type { Principal } from '@depot/common';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  activeFilesOf,
  activeVersionOf,
  createHostedAppWithFiles,
  JSON_ACCEPT,
} from '../support/hosted-app-kit';
import { zipOf } from '../support/zip-kit';

interface ArchiveBody {
  id: string;
  depot_ArchiveOrigin: { baseVersionId: string; pluginName: string };
}

// Fault injection: the application lock is switched off (as if its PostgreSQL session had died), so
// concurrent changes really race. The compare-and-set on activeVersionId must still refuse every
// change built on a version that is no longer active: some answer 409, none is silently lost.
describe('plugin changes when the application lock is lost', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const applications = t.app.get(ApplicationsService);
    jest
      .spyOn(applications, 'withApplicationLock')
      .mockImplementation(
        async <T>(principal: Principal, rawId: string, fn: (application: ApplicationEntity) => Promise<T>) =>
          fn(await applications.findOne(principal, rawId)),
      );
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('refuses changes built on a replaced version (409) and keeps every accepted one', async () => {
    const app = await createHostedAppWithFiles(t);
    const names = Array.from({ length: 12 }, (_, index) => `racer-${index}`);
    const responses = await Promise.all(
      names.map((name) =>
        request(t.server)
          .post(`${app.url}/binaries/plugins/${name}`)
          .set('Authorization', t.auth())
          .set('Accept', JSON_ACCEPT)
          .attach('file', zipOf({ [`${name}.js`]: name }), `${name}.zip`),
      ),
    );
    const accepted = responses
      .filter((response) => response.status === 201)
      .map((r) => r.body as ArchiveBody);
    const refused = responses.filter((response) => response.status !== 201);
    expect(accepted.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ error: 'applications/Conflict' });
    }

    // The accepted changes form one chain from the first archive, and the active version holds them all.
    const byBase = new Map(accepted.map((archive) => [archive.depot_ArchiveOrigin.baseVersionId, archive]));
    expect(byBase.size).toBe(accepted.length);
    let tip = app.initialArchiveId;
    while (byBase.has(tip)) tip = byBase.get(tip)!.id;
    expect(await activeVersionOf(t, app)).toBe(tip);
    const files = await activeFilesOf(t, app);
    const present = names.filter((name) => files[`${name}/${name}.js`] === name);
    expect(present.sort()).toEqual(accepted.map((archive) => archive.depot_ArchiveOrigin.pluginName).sort());
  });
});
