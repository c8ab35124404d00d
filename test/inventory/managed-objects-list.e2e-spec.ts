import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  filterCases,
  listedNames,
  REFUSED_CASES,
  seedInventory,
  type SeededInventory,
} from './inventory-list-kit';

describe('GET /inventory/managedObjects', () => {
  let t: TestApp;
  let seed: SeededInventory;

  beforeAll(async () => {
    t = await startTestApp();
    seed = await seedInventory(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists every managed object of the caller's tenant, binaries and others, by id", async () => {
    expect(await listedNames(t, '/inventory/managedObjects?pageSize=100')).toEqual([
      'sensor-a.log',
      'sensor-b.log',
      'Photo 100%_x.png',
      "it's.txt",
      'bob.bin',
      'group-1',
    ]);
    const response = await request(t.server)
      .get('/inventory/managedObjects?pageSize=100')
      .set('Authorization', t.auth());
    expect(response.headers['content-type']).toMatch(/managedObjectCollection\+json/i);
    const group = (response.body as { managedObjects: Array<Record<string, unknown>> }).managedObjects[5];
    expect(group).toMatchObject({
      id: seed.groupId,
      self: `${t.baseUrl}/inventory/managedObjects/${seed.groupId}`,
      c8y_IsDeviceGroup: {},
    });
    expect(group).not.toHaveProperty('c8y_IsBinary');
  });

  it('filters as each case says, leaving out what does not match', async () => {
    for (const [query, expected] of filterCases(seed)) {
      const names = await listedNames(t, `/inventory/managedObjects?${query}&pageSize=100`);
      expect({ query, names }).toEqual({ query, names: expected });
    }
  });

  it('answers 422 naming what is not supported', async () => {
    for (const [query, message] of REFUSED_CASES) {
      const response = await request(t.server)
        .get(`/inventory/managedObjects?${query}`)
        .set('Authorization', t.auth());
      expect({ query, status: response.status }).toEqual({ query, status: 422 });
      expect(response.body).toMatchObject({
        error: 'inventory/Invalid Data',
        message: expect.stringMatching(message),
      });
    }
  });

  it('answers odd queries with 200 or 422, never 500', async () => {
    const odd = [
      "'",
      ')',
      '((',
      '\\',
      "name eq '\\'",
      'c8y_X..y eq 1',
      'has(a..b)',
      '$orderby=c8y_X.y desc,',
      '$orderby=c8y_X.y desc',
      'id eq -1',
      "id eq '00012'",
      "creationTime eq '2026-02-30'",
      "creationTime gt '9999-12-31T23:59:59.999Z'",
      "lastUpdated le '2026-01-01T00:00:00+05:30'",
      'c8y_N eq 1e308',
      'c8y_N eq 1e400',
      'c8y_N eq -0',
      "name eq '%'",
      "name eq ''",
      "name eq '*'",
      "name eq 'ü*漢字'",
      "c8y_X eq 'a' and",
      'not',
      "has(c8y_X) or not has(c8y_Y) and (type ne 'x' or c8y_Z.a.b.c.d eq true)",
      '$filter=',
      '$FILTER=(has(c8y_X))',
      "NAME EQ 'x'",
    ];
    for (const text of odd) {
      const response = await request(t.server)
        .get(`/inventory/managedObjects?query=${encodeURIComponent(text)}`)
        .set('Authorization', t.auth());
      expect({ text, ok: [200, 422].includes(response.status) }).toEqual({ text, ok: true });
    }
  });

  it('pages a filtered list with links that keep the filter, and counts only what matches', async () => {
    const first = await request(t.server)
      .get('/inventory/managedObjects?type=c8y_log&pageSize=2&withTotalElements=true')
      .set('Authorization', t.auth());
    const body = first.body as { managedObjects: unknown[]; next: string; statistics: unknown };
    expect(body.managedObjects).toHaveLength(2);
    expect(body.statistics).toEqual({ currentPage: 1, pageSize: 2, totalElements: 3 });
    expect(body.next).toBe(
      `${t.baseUrl}/inventory/managedObjects?type=c8y_log&pageSize=2&withTotalElements=true&currentPage=2`,
    );
    expect(await listedNames(t, new URL(body.next).pathname + new URL(body.next).search)).toEqual([
      'bob.bin',
    ]);
  });

  it('keeps tenants apart and shows a creator only its own objects', async () => {
    expect(
      await listedNames(t, '/inventory/managedObjects?fragmentType=c8y_IsDevice', seed.otherTenantAuth),
    ).toEqual(['sensor-a.log']);
    expect(await listedNames(t, '/inventory/managedObjects?pageSize=100', seed.otherTenantAuth)).toHaveLength(
      1,
    );
    expect(
      await listedNames(
        t,
        `/inventory/managedObjects?query=${encodeURIComponent('has(c8y_Hardware)')}`,
        seed.bob.auth,
      ),
    ).toEqual(['bob.bin']);
  });

  it('accepts paging, decorations and parameters Cumulocity does not define', async () => {
    const decorations =
      'withParents=true&withChildren=false&withChildrenCount=true&skipChildrenNames=true&withGroups=true' +
      '&notACumulocityParameter=1&pageSize=100';
    expect(await listedNames(t, `/inventory/managedObjects?${decorations}`)).toHaveLength(6);
  });

  it('needs an inventory role', async () => {
    const response = await request(t.server).get('/inventory/managedObjects');
    expect(response.status).toBe(401);
  });
});
