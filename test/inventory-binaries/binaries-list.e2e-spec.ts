import { startTestApp, type TestApp } from '../support/test-app';
import { json, rawRequest } from './binaries-test-kit';
import { multipart, multipartType } from '../support/multipart';

describe('GET /inventory/binaries', () => {
  let app: TestApp;
  const ids: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    const objects = [
      { name: 'alpha.log', type: 'c8y_log' },
      { name: 'beta.log', type: 'c8y_log' },
      { name: 'gamma.png', type: 'image/png' },
      { name: 'Delta Report.pdf', type: 'c8y_report' },
      { name: 'epsilon.log', type: 'c8y_log' },
      { name: 'zeta.bin', type: 'c8y_upload' },
    ];
    for (const object of objects) {
      const response = await rawRequest(app.baseUrl, {
        method: 'POST',
        path: '/inventory/binaries',
        headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
        body: multipart([
          { name: 'object', body: JSON.stringify(object) },
          { name: 'file', filename: object.name, contentType: 'application/octet-stream', body: object.name },
        ]),
      });
      ids.push(String(json(response).id));
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const list = async (
    query = '',
  ): Promise<Record<string, unknown> & { managedObjects: Array<Record<string, unknown>> }> => {
    const response = await rawRequest(app.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries${query}`,
      headers: { authorization: app.auth() },
    });
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/managedObjectCollection\+json/i);
    return json(response) as Record<string, unknown> & { managedObjects: Array<Record<string, unknown>> };
  };
  const names = (collection: { managedObjects: Array<Record<string, unknown>> }): unknown[] =>
    collection.managedObjects.map((object) => object.name);

  it('pages with the default size of 5, statistics and next/prev links', async () => {
    const first = await list();
    expect(first.managedObjects).toHaveLength(5);
    expect(first.statistics).toEqual({ currentPage: 1, pageSize: 5 });
    expect(first.self).toBe(`${app.baseUrl}/inventory/binaries?currentPage=1`);
    expect(first.next).toBe(`${app.baseUrl}/inventory/binaries?currentPage=2`);
    expect(first).not.toHaveProperty('prev');
    expect(first.managedObjects[0]).toMatchObject({
      c8y_IsBinary: {},
      self: `${app.baseUrl}/inventory/binaries/${ids[0]}`,
    });

    const second = await list('?currentPage=2&withTotalPages=true&withTotalElements=true');
    expect(names(second)).toEqual(['zeta.bin']);
    expect(second.statistics).toEqual({ currentPage: 2, pageSize: 5, totalPages: 2, totalElements: 6 });
    expect(second.prev).toMatch(/currentPage=1/);
    expect(second).not.toHaveProperty('next');
  });

  it('filters by type, owner, ids and text', async () => {
    expect(names(await list('?type=c8y_log&pageSize=100'))).toEqual(['alpha.log', 'beta.log', 'epsilon.log']);
    expect((await list(`?owner=${app.admin.user}&pageSize=100`)).managedObjects).toHaveLength(6);
    expect((await list('?owner=nobody')).managedObjects).toHaveLength(0);
    expect(names(await list(`?ids=${ids[2]},${ids[3]}`))).toEqual(['gamma.png', 'Delta Report.pdf']);
    expect(names(await list('?text=report'))).toEqual(['Delta Report.pdf']);
    expect(names(await list('?text=%25'))).toEqual([]);
  });

  it('answers 422 for relation filters it cannot evaluate and for junk paging', async () => {
    for (const query of [
      '?childAdditionId=1',
      '?childAssetId=1',
      '?childDeviceId=1',
      '?pageSize=abc',
      '?ids=1,x',
    ]) {
      const response = await rawRequest(app.baseUrl, {
        method: 'GET',
        path: `/inventory/binaries${query}`,
        headers: { authorization: app.auth() },
      });
      expect(response.status).toBe(422);
      expect(json(response).error).toBe('inventory/Invalid Data');
    }
  });
});
