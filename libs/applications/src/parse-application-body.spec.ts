import { CumulocityError, parsePaging } from '@depot/common';
import { ApplicationType } from './application.entity';
import { parseApplicationBody } from './parse-application-body';
import { parseApplicationListQuery } from './parse-application-list-query';

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CumulocityError ? error.status : -1;
  }
  return undefined;
}

describe('parseApplicationBody', () => {
  it('splits modelled fields from extra client fields and drops read-only ones', () => {
    expect(
      parseApplicationBody({
        id: '1',
        self: 'x',
        owner: { tenant: { id: 't' } },
        creationTime: 'x',
        name: 'n',
        key: 'k',
        type: 'HOSTED',
        availability: 'SHARED',
        contextPath: 'my-app_1.0~x',
        manifest: { a: 1 },
        activeVersionId: 42,
        description: 'd',
        config: null,
      }),
    ).toEqual({
      name: 'n',
      key: 'k',
      type: ApplicationType.Hosted,
      availability: 'SHARED',
      contextPath: 'my-app_1.0~x',
      manifest: { a: 1 },
      activeVersionId: '42',
      extra: { description: 'd', config: null },
    });
  });

  it('lets null clear optional fields', () => {
    expect(
      parseApplicationBody({ contextPath: null, externalUrl: null, manifest: null, activeVersionId: null }),
    ).toEqual({
      contextPath: null,
      externalUrl: null,
      manifest: null,
      activeVersionId: null,
      extra: {},
    });
  });

  it.each([
    [null, 422],
    [[], 422],
    ['text', 422],
    [{ type: 'MICROSERVICE' }, 422],
    [{ type: 'hosted' }, 422],
    [{ name: '' }, 422],
    [{ name: ' ' }, 422],
    [{ key: 'k'.repeat(256) }, 422],
    [{ contextPath: '.hidden' }, 422],
    [{ contextPath: 'a@1.0' }, 422],
    [{ contextPath: 'a b' }, 422],
    [{ externalUrl: 'ftp://x' }, 422],
    [{ externalUrl: 'not a url' }, 422],
    [{ availability: 'private' }, 422],
    [{ manifest: 'x' }, 422],
    [{ activeVersionId: 'abc' }, 404],
    [{ activeVersionId: 1.5 }, 404],
    [{ activeVersionId: '0' }, 404],
  ])('refuses %j with %d', (body, status) => {
    expect(statusOf(() => parseApplicationBody(body))).toBe(status);
  });
});

describe('parseApplicationListQuery', () => {
  const paging = parsePaging({ pageSize: '10', currentPage: '3', withTotalElements: 'true' });

  it('reads the filters and paging', () => {
    expect(
      parseApplicationListQuery(
        { name: 'n', owner: 'o', tenant: 't', type: 'hosted, EXTERNAL,', withTotalPages: 'true' },
        paging,
      ),
    ).toEqual({
      name: 'n',
      owner: 'o',
      tenant: 't',
      types: ['HOSTED', 'EXTERNAL'],
      offset: 20,
      limit: 10,
      withTotal: true,
    });
  });

  it('refuses unknown types and repeated parameters with 422', () => {
    expect(statusOf(() => parseApplicationListQuery({ type: 'HOSTED,WIDGET' }, paging))).toBe(422);
    expect(statusOf(() => parseApplicationListQuery({ name: ['a', 'b'] }, paging))).toBe(422);
  });
});
