import { QueriesUtil, type Client } from '@c8y/client';
import request from 'supertest';
import { adminC8yClient } from '../support/c8y-client';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  filterCases,
  listedNames,
  REFUSED_CASES,
  seedInventory,
  type SeededInventory,
} from '../inventory/inventory-list-kit';

// The same filters as GET /inventory/managedObjects; the binaries list never shows the group.
describe('GET /inventory/binaries filters', () => {
  let t: TestApp;
  let seed: SeededInventory;
  let client: Client;

  beforeAll(async () => {
    t = await startTestApp();
    seed = await seedInventory(t);
    client = adminC8yClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('filters as each case says, and lists binaries only', async () => {
    for (const [query, expected] of filterCases(seed)) {
      const names = await listedNames(t, `/inventory/binaries?${query}&pageSize=100`);
      expect({ query, names }).toEqual({ query, names: expected.filter((name) => name !== 'group-1') });
    }
  });

  it('answers 422 naming what is not supported', async () => {
    for (const [query, message] of REFUSED_CASES) {
      const response = await request(t.server)
        .get(`/inventory/binaries?${query}`)
        .set('Authorization', t.auth());
      expect({ query, status: response.status }).toEqual({ query, status: 422 });
      expect(response.body).toMatchObject({
        error: 'inventory/Invalid Data',
        message: expect.stringMatching(message),
      });
    }
  });

  // What the Python client (c8y_api) puts on the wire for select(fragment=..., name=..., query=...).
  it('answers the URLs the Python client sends', async () => {
    expect(
      await listedNames(t, '/inventory/binaries?fragmentType=c8y_IsDevice&pageSize=1000&currentPage=1'),
    ).toEqual(['sensor-a.log']);
    expect(await listedNames(t, "/inventory/binaries?name='Photo%20100%25_x.png'&pageSize=1000")).toEqual([
      'Photo 100%_x.png',
    ]);
    expect(
      await listedNames(
        t,
        "/inventory/binaries?query=%24filter%3D(type+eq+'c8y_log'+and+has(c8y_Count))+%24orderby%3Dname+desc&pageSize=1000",
      ),
    ).toEqual(['sensor-b.log', 'sensor-a.log']);
    expect(await listedNames(t, "/inventory/binaries?text='it''s.txt'&pageSize=1000")).toEqual(["it's.txt"]);
    const refused = await request(t.server)
      .get('/inventory/binaries?childAddition=1')
      .set('Authorization', t.auth());
    expect(refused.status).toBe(422);
  });

  it('answers what @c8y/client builds with its query helpers', async () => {
    const { data: inventory } = await client.inventory.listQuery(
      {
        __filter: { 'c8y_Hardware.serialNumber': 'SN-*', __not: { __has: 'c8y_IsDevice' } },
        __orderby: [{ name: -1 }],
      },
      { pageSize: 10 },
    );
    expect(inventory.map((object) => object.name)).toEqual(['sensor-b.log', 'bob.bin']);

    const { data: listed } = await client.inventory.list({
      query: new QueriesUtil().buildQuery({ name: "it's.txt" }),
      pageSize: 10,
    });
    expect(listed.map((object) => object.name)).toEqual(["it's.txt"]);

    const { data: devices } = await client.inventory.listQueryDevices({ name: 'sensor-*' }, { pageSize: 10 });
    expect(devices.map((object) => object.name)).toEqual(['sensor-a.log']);

    const { data: binaries } = await client.inventoryBinary.list({
      type: 'c8y_log',
      owner: 'bob',
      pageSize: 10,
    });
    expect(binaries.map((object) => object.name)).toEqual(['bob.bin']);

    await expect(client.inventory.listQuery({ __bygroupid: 10300 }, {})).rejects.toMatchObject({
      res: { status: 422 },
      data: { error: 'inventory/Invalid Data', message: expect.stringMatching(/bygroupid/) },
    });
  });
});
