import { Role } from '@depot/common';
import request from 'supertest';
import { createUser } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

const ERROR_TYPE = /^application\/vnd\.com\.nsn\.cumulocity\.error\+json/;
const INFO = 'https://www.cumulocity.com/guides/reference-guide/#error_reporting';

function expectErrorBody(response: request.Response, status: number, error: string | RegExp): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(ERROR_TYPE);
  expect(response.body).toEqual({
    error: expect.stringMatching(error),
    message: expect.any(String),
    info: INFO,
  });
}

describe('Cumulocity conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_JSON_BODY: '4KiB' });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('error bodies', () => {
    it('404 for an unknown route', async () => {
      const response = await request(t.server).get('/no/such/route').set('Authorization', t.auth());
      expectErrorBody(response, 404, 'general/Not Found');
    });

    it('404 for an unknown user', async () => {
      const response = await request(t.server)
        .get('/user/management/users/ghost')
        .set('Authorization', t.auth());
      expectErrorBody(response, 404, 'users/Not Found');
    });

    it('400 for malformed JSON', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .set('Content-Type', 'application/json')
        .send('{"userName": ');
      expectErrorBody(response, 400, 'users/Bad Request');
    });

    it('413 for a JSON body above the limit', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .send({ userName: 'big', password: 'x'.repeat(8 * 1024) });
      expectErrorBody(response, 413, 'users/Payload Too Large');
    });

    it('422 for invalid data', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .send({ userName: 'has space', password: 'long-enough' });
      expectErrorBody(response, 422, 'users/Invalid Data');
    });

    it('422 for junk paging parameters', async () => {
      for (const query of ['pageSize=abc', 'pageSize=0', 'currentPage=-1', 'withTotalPages=maybe']) {
        const response = await request(t.server)
          .get(`/user/management/users?${query}`)
          .set('Authorization', t.auth());
        expectErrorBody(response, 422, 'users/Invalid Data');
      }
    });

    it('409 for a duplicate', async () => {
      await createUser(t, { userName: 'twin', roles: [] });
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .send({ userName: 'twin', password: 'long-enough' });
      expectErrorBody(response, 409, 'users/Duplicate');
    });

    it('401 and 403', async () => {
      expectErrorBody(await request(t.server).get('/user/roles'), 401, 'security/Unauthorized');
      const user = await createUser(t, { userName: 'reader', roles: [Role.InventoryRead] });
      expectErrorBody(
        await request(t.server).get('/user/roles').set('Authorization', user.auth),
        403,
        'security/Forbidden',
      );
    });

    it('405-style method mismatches are 404s with the error body', async () => {
      const response = await request(t.server).patch('/user/currentUser').set('Authorization', t.auth());
      expectErrorBody(response, 404, 'users/Not Found');
    });

    it('echoes a request id', async () => {
      const response = await request(t.server).get('/health').set('X-Request-Id', 'abc-123');
      expect(response.headers['x-request-id']).toBe('abc-123');
    });
  });

  describe('Accept rule on POST and PUT', () => {
    it('answers a POST without Accept with an empty body and the same status', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .send({ userName: 'quiet', password: 'long-enough' });
      expect(response.status).toBe(201);
      expect(response.text).toBe('');
      expect(response.headers.location).toMatch(/\/user\/management\/users\/quiet$/);
    });

    it('answers a POST with Accept with the object in its vnd media type', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .set('Accept', 'application/vnd.com.nsn.cumulocity.user+json')
        .send({ userName: 'talkative', password: 'long-enough' });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(
        /^application\/vnd\.com\.nsn\.cumulocity\.user\+json/i,
      );
      expect(response.body).toMatchObject({ id: 'talkative', userName: 'talkative', enabled: true });
    });

    it('answers a PUT without Accept with an empty body', async () => {
      const response = await request(t.server)
        .put('/user/management/users/quiet')
        .set('Authorization', t.auth())
        .send({ firstName: 'Q' });
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
    });

    it('gives GET its body regardless of Accept', async () => {
      const response = await request(t.server).get('/user/currentUser').set('Authorization', t.auth());
      expect(response.headers['content-type']).toMatch(
        /^application\/vnd\.com\.nsn\.cumulocity\.currentuser\+json/i, // Express lower-cases it; media types are case-insensitive
      );
      expect(response.body.userName).toBe('admin');
    });
  });

  describe('request media types', () => {
    it.each([
      'application/json',
      'APPLICATION/JSON; charset=UTF-8',
      'application/vnd.com.nsn.cumulocity.user+json',
      'application/VND.COM.NSN.CUMULOCITY.USER+JSON;ver=0.9;charset=UTF-8',
    ])('accepts a JSON body sent as %s', async (contentType) => {
      const userName = `mt-${contentType.length}-${contentType.charCodeAt(12)}`;
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .set('Accept', 'application/json')
        .set('Content-Type', contentType)
        .send(JSON.stringify({ userName, password: 'long-enough' }));
      expect(response.status).toBe(201);
      expect(response.body.userName).toBe(userName);
    });

    it('streams a PUT /inventory/binaries/{id} body untouched, even when it claims to be JSON', async () => {
      const created = await request(t.server)
        .post('/inventory/binaries')
        .set('Authorization', t.auth())
        .set('Accept', 'application/json')
        .field('object', JSON.stringify({ name: 'raw.json', type: 'application/json' }))
        .attach('file', Buffer.from('{}'), { filename: 'raw.json', contentType: 'application/json' });
      expect(created.status).toBe(201);
      const notJson = '{"truncated": ';
      const replaced = await request(t.server)
        .put(`/inventory/binaries/${created.body.id}`)
        .set('Authorization', t.auth())
        .set('Content-Type', 'APPLICATION/JSON')
        .send(notJson);
      expect(replaced.status).toBe(201);
      const content = await request(t.server)
        .get(`/inventory/binaries/${created.body.id}`)
        .set('Authorization', t.auth())
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect((content.body as Buffer).toString()).toBe(notJson);
    });

    it('does not parse a text/plain body as JSON', async () => {
      const response = await request(t.server)
        .post('/user/management/users')
        .set('Authorization', t.auth())
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify({ userName: 'plain-text', password: 'long-enough' }));
      expectErrorBody(response, 422, 'users/Invalid Data');
    });
  });

  describe('paging', () => {
    it('pages users with absolute links that keep the query', async () => {
      for (const name of ['pa', 'pb', 'pc']) await createUser(t, { userName: `page-${name}`, roles: [] });
      const first = await request(t.server)
        .get('/user/management/users?pageSize=2&withTotalElements=true&withTotalPages=true')
        .set('Authorization', t.auth());
      expect(first.status).toBe(200);
      expect(first.body.users).toHaveLength(2);
      expect(first.body.statistics).toMatchObject({ currentPage: 1, pageSize: 2 });
      expect(first.body.statistics.totalElements).toBeGreaterThanOrEqual(4);
      expect(first.body.self).toBe(
        `${t.baseUrl}/user/management/users?pageSize=2&withTotalElements=true&withTotalPages=true&currentPage=1`,
      );
      expect(first.body.next).toContain('currentPage=2');
      expect(first.body.prev).toBeUndefined();
      const second = await request(t.server)
        .get(new URL(first.body.next as string).pathname + new URL(first.body.next as string).search)
        .set('Authorization', t.auth());
      expect(second.body.prev).toContain('currentPage=1');
      const names = [...first.body.users, ...second.body.users].map(
        (user: { userName: string }) => user.userName,
      );
      expect(new Set(names).size).toBe(names.length);
    });

    it('cuts pageSize above 2000', async () => {
      const response = await request(t.server)
        .get('/user/management/users?pageSize=5000')
        .set('Authorization', t.auth());
      expect(response.body.statistics.pageSize).toBe(2000);
    });
  });

  it('ignores X-Forwarded-* without TRUST_PROXY', async () => {
    const response = await request(t.server)
      .get('/user/currentUser')
      .set('Authorization', t.auth())
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'evil.example');
    expect(response.body.self).toBe(`${t.baseUrl}/user/currentUser`);
  });

  it('reports health without credentials', async () => {
    const response = await request(t.server).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'UP',
      database: { status: 'UP' },
      storage: { status: 'UP', driver: 'filesystem' },
    });
  });
});

describe('TRUST_PROXY', () => {
  it('honours X-Forwarded-Proto/Host when set', async () => {
    const t = await startTestApp({ TRUST_PROXY: 'loopback' });
    try {
      const response = await request(t.server)
        .get('/user/currentUser')
        .set('Authorization', t.auth())
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'depot.example.com');
      expect(response.body.self).toBe('https://depot.example.com/user/currentUser');
    } finally {
      await t.close();
    }
  });
});
