import request from 'supertest';
import { createUser } from '../support/factories';
import { createHostedApp, JSON_ACCEPT } from '../support/hosted-app-kit';
import { multipart, multipartType } from '../support/multipart';
import { startTestApp, type TestApp } from '../support/test-app';

/** Every list: a Cumulocity filter Depot does not implement is a 422 naming it, never "everything". */
describe('list filters', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['Two Words.txt', "it's.txt", 'other.txt']) {
      const response = await request(t.server)
        .post('/inventory/binaries')
        .set('Authorization', t.auth())
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', multipartType())
        .send(
          multipart([
            {
              name: 'object',
              body: JSON.stringify({ name, type: name === 'other.txt' ? 'plain' : 'my type' }),
            },
            { name: 'file', filename: name, contentType: 'text/plain', body: name },
          ]),
        );
      expect(response.status).toBe(201);
    }
    await createHostedApp(t, { name: 'my app', key: 'my-app-key', contextPath: 'my-app' });
    await createHostedApp(t, { name: "it's app", key: 'its-app-key', contextPath: 'its-app' });
    await createHostedApp(t, { name: 'my', key: 'my-key', contextPath: 'my' });
    for (const userName of ['pyc8y-one', 'pyc8y-two', 'pyc8x', 'a_b', 'axb'])
      await createUser(t, { userName, roles: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string) =>
    request(t.server).get(path).set('Authorization', t.auth()).set('Accept', JSON_ACCEPT);
  const names = async (path: string, property: string, field: string): Promise<unknown[]> => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return (response.body[property] as Array<Record<string, unknown>>).map((item) => item[field]).sort();
  };

  it.each([
    [
      '/inventory/binaries',
      'inventory',
      ['childAddition', 'childAdditionId', 'childAssetId', 'childDeviceId', 'onlyRoots'],
    ],
    ['/user/management/users', 'users', ['groups', 'owner']],
  ])('%s refuses the Cumulocity filters it does not implement', async (path, resource, refused) => {
    for (const name of refused) {
      const response = await get(`${path}?${name}=x`);
      expect([name, response.status]).toEqual([name, 422]);
      expect(response.body).toMatchObject({ error: `${resource}/Invalid Data` });
      expect(response.body.message).toContain(name);
    }
  });

  it.each(['/inventory/binaries', '/application/applications', '/user/management/users', '/tenant/tenants'])(
    '%s still accepts paging, decorations and parameters Cumulocity does not define',
    async (path) => {
      const query =
        'pageSize=2&currentPage=1&withTotalPages=true&withTotalElements=true' +
        '&withParents=true&withChildren=false&skipChildrenNames=true&withGroups=true&notACumulocityParameter=1';
      const response = await get(`${path}?${query}`);
      expect(response.status).toBe(200);
      expect(response.body.statistics).toMatchObject({ currentPage: 1, pageSize: 2 });
    },
  );

  it('unquotes single-quoted binary filters', async () => {
    const list = (query: string) =>
      names(`/inventory/binaries?pageSize=100&${query}`, 'managedObjects', 'name');
    expect(await list(`text=${encodeURIComponent("'two words'")}`)).toEqual(['Two Words.txt']);
    expect(await list(`text=${encodeURIComponent("'it''s'")}`)).toEqual(["it's.txt"]);
    expect(await list(`type=${encodeURIComponent("'my type'")}`)).toEqual(['Two Words.txt', "it's.txt"]);
    expect(await list('type=plain')).toEqual(['other.txt']);
  });

  it('unquotes single-quoted application filters', async () => {
    const list = (query: string) =>
      names(`/application/applications?pageSize=100&${query}`, 'applications', 'name');
    expect(await list(`name=${encodeURIComponent("'my app'")}`)).toEqual(['my app']);
    expect(await list(`name=${encodeURIComponent("'it''s app'")}`)).toEqual(["it's app"]);
    expect(await list('name=my')).toEqual(['my']);
  });

  it('matches users by username prefix, quoted or not, with LIKE characters taken literally', async () => {
    const list = (query: string) =>
      names(`/user/management/users?pageSize=100&${query}`, 'users', 'userName');
    expect(await list('username=pyc8y-')).toEqual(['pyc8y-one', 'pyc8y-two']);
    expect(await list(`username=${encodeURIComponent("'pyc8y-t'")}`)).toEqual(['pyc8y-two']);
    expect(await list('username=a_')).toEqual(['a_b']);
    expect(await list('username=%25')).toEqual([]);
    expect(await list('username=pyc8')).toEqual(['pyc8x', 'pyc8y-one', 'pyc8y-two']);
  });
});
