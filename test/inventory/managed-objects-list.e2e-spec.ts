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
