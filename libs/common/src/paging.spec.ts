import type { Request } from 'express';
import { CumulocityError } from './cumulocity-error';
import { buildCollection, parsePaging } from './paging';

function fakeRequest(originalUrl: string, host = 'depot.example:8080'): Request {
  return { originalUrl, url: originalUrl, protocol: 'http', host, headers: { host } } as unknown as Request;
}

function expectInvalid(query: Record<string, unknown>): void {
  try {
    parsePaging(query, 'inventory');
  } catch (error) {
    expect(error).toBeInstanceOf(CumulocityError);
    expect((error as CumulocityError).status).toBe(422);
    expect((error as CumulocityError).error).toBe('inventory/Invalid Data');
    return;
  }
  throw new Error(`expected 422 for ${JSON.stringify(query)}`);
}

describe('parsePaging', () => {
  it('defaults to page 1 of 5 without totals', () => {
    expect(parsePaging({})).toEqual({
      pageSize: 5,
      currentPage: 1,
      withTotalPages: false,
      withTotalElements: false,
      offset: 0,
      wantsTotal: false,
    });
  });

  it('reads the parameters and computes the offset', () => {
    const paging = parsePaging({
      pageSize: '20',
      currentPage: '3',
      withTotalPages: 'true',
      withTotalElements: 'FALSE',
    });
    expect(paging).toMatchObject({
      pageSize: 20,
      currentPage: 3,
      offset: 40,
      withTotalPages: true,
      wantsTotal: true,
    });
    expect(paging.withTotalElements).toBe(false);
  });

  it('cuts pageSize above 2000 down to 2000', () => {
    expect(parsePaging({ pageSize: '5000' }).pageSize).toBe(2000);
    expect(parsePaging({ pageSize: '2000' }).pageSize).toBe(2000);
    expect(parsePaging({ pageSize: '99999999999999999999' }).pageSize).toBe(2000);
  });

  it('treats empty values as absent', () => {
    expect(parsePaging({ pageSize: '', currentPage: '' })).toMatchObject({ pageSize: 5, currentPage: 1 });
  });

  it.each([
    { pageSize: 'abc' },
    { pageSize: '0' },
    { pageSize: '-1' },
    { pageSize: '1.5' },
    { pageSize: '10abc' },
    { currentPage: '0' },
    { currentPage: 'x' },
    { currentPage: '-3' },
    { withTotalPages: 'yes' },
    { withTotalElements: '1' },
    { pageSize: ['5', '6'] },
    { currentPage: '9007199254740993' },
  ])('rejects %j with 422', (query) => {
    expectInvalid(query);
  });
});

describe('buildCollection', () => {
  const items = (count: number) => Array.from({ length: count }, (_, index) => ({ id: String(index) }));
  const toJson = (item: { id: string }, baseUrl: string) => ({ ...item, self: `${baseUrl}/x/${item.id}` });

  it('builds self with the query kept and no links for a short first page', () => {
    const request = fakeRequest('/inventory/binaries?type=a%20b&pageSize=5');
    const collection = buildCollection({
      request,
      property: 'managedObjects',
      items: items(3),
      toJson,
      paging: parsePaging({ pageSize: '5' }),
    });
    expect(collection.self).toBe(
      'http://depot.example:8080/inventory/binaries?type=a+b&pageSize=5&currentPage=1',
    );
    expect(collection.managedObjects).toEqual(
      [0, 1, 2].map((index) => ({
        id: String(index),
        self: `http://depot.example:8080/x/${index}`,
      })),
    );
    expect(collection.statistics).toEqual({ currentPage: 1, pageSize: 5 });
    expect(collection.next).toBeUndefined();
    expect(collection.prev).toBeUndefined();
  });

  it('adds next when the page is full and prev after page 1, keeping the query', () => {
    const request = fakeRequest('/user/t1/users?pageSize=2&currentPage=2&x=1');
    const collection = buildCollection({
      request,
      property: 'users',
      items: items(2),
      toJson,
      paging: parsePaging({ pageSize: '2', currentPage: '2' }),
    });
    expect(collection.next).toBe('http://depot.example:8080/user/t1/users?pageSize=2&currentPage=3&x=1');
    expect(collection.prev).toBe('http://depot.example:8080/user/t1/users?pageSize=2&currentPage=1&x=1');
  });

  it('reports totals only when asked', () => {
    const request = fakeRequest('/x');
    const paging = parsePaging({ pageSize: '5', withTotalPages: 'true', withTotalElements: 'true' });
    const collection = buildCollection({
      request,
      property: 'items',
      items: items(5),
      toJson,
      paging,
      totalElements: 11,
    });
    expect(collection.statistics).toEqual({ currentPage: 1, pageSize: 5, totalPages: 3, totalElements: 11 });
    const quiet = buildCollection({
      request,
      property: 'items',
      items: items(5),
      toJson,
      paging: parsePaging({}),
      totalElements: 11,
    });
    expect(quiet.statistics).toEqual({ currentPage: 1, pageSize: 5 });
  });

  it('reports zero pages for an empty result', () => {
    const paging = parsePaging({ withTotalPages: 'true' });
    const collection = buildCollection({
      request: fakeRequest('/x'),
      property: 'items',
      items: [],
      toJson,
      paging,
      totalElements: 0,
    });
    expect(collection.statistics.totalPages).toBe(0);
  });
});
