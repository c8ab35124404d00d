import * as http from 'node:http';
import { openRawConnection, requestHead } from '../support/raw-connection';
import { startTestApp, type TestApp } from '../support/test-app';

/** A GET with exactly this Host header (fetch and supertest would refuse or rewrite it). */
async function getWithHost(
  t: TestApp,
  path: string,
  host: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: string }> {
  const connection = await openRawConnection(t.server);
  connection.socket.write(
    requestHead(`GET ${path} HTTP/1.1`, { Host: host, Authorization: t.auth(), Connection: 'close' }),
  );
  await connection.closed;
  const text = Buffer.from(connection.received(), 'latin1').toString('utf8');
  const [head, ...rest] = text.split('\r\n\r\n');
  return {
    status: Number(head.split(' ')[1]),
    body: JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown>,
    headers: head,
  };
}

function post(t: TestApp, path: string, headers: http.OutgoingHttpHeaders, body: unknown) {
  return fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      Authorization: t.auth(),
      Accept: 'application/json',
      'Content-Type': 'application/json',
      ...headers,
    } as Record<string, string>,
    body: JSON.stringify(body),
  });
}

describe('absolute URLs (self, next, prev, Location)', () => {
  describe('without PUBLIC_URL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('follow a well-formed Host header', async () => {
      const { status, body } = await getWithHost(t, '/user/roles?pageSize=1', 'depot.example:8443');
      expect(status).toBe(200);
      expect(body.self).toBe('http://depot.example:8443/user/roles?pageSize=1&currentPage=1');
      expect(body.next).toBe('http://depot.example:8443/user/roles?pageSize=1&currentPage=2');
    });

    it.each(['exa mple', '[::1', 'a:99999', '%zz', 'a/b', 'user@host', 'a?b'])(
      'fall back to the listening address for the Host %j',
      async (host) => {
        const { status, body } = await getWithHost(t, '/user/roles?pageSize=1&currentPage=2', host);
        expect(status).toBe(200);
        expect(body.self).toBe(`${t.baseUrl}/user/roles?pageSize=1&currentPage=2`);
        expect(body.prev).toBe(`${t.baseUrl}/user/roles?pageSize=1&currentPage=1`);
        expect(body.next).toBe(`${t.baseUrl}/user/roles?pageSize=1&currentPage=3`);
      },
    );

    it('keep only the path of an absolute-form request target', async () => {
      const { status, body } = await getWithHost(
        t,
        'http://elsewhere.example/user/roles?pageSize=1',
        'depot.example',
      );
      expect(status).toBe(200);
      expect(body.self).toBe('http://depot.example/user/roles?pageSize=1&currentPage=1');
    });
  });

  describe('with PUBLIC_URL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ PUBLIC_URL: 'https://depot.example.com/iot/', TRUST_PROXY: 'true' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('is used for self and next whatever Host or X-Forwarded-Host say', async () => {
      const { body } = await getWithHost(t, '/user/roles?pageSize=1', 'attacker.example');
      expect(body.self).toBe('https://depot.example.com/iot/user/roles?pageSize=1&currentPage=1');
      expect(body.next).toBe('https://depot.example.com/iot/user/roles?pageSize=1&currentPage=2');
      expect((body.roles as Array<{ self: string }>)[0].self).toMatch(
        /^https:\/\/depot\.example\.com\/iot\/user\/roles\//,
      );
    });

    it('is used for Location', async () => {
      const response = await post(
        t,
        '/application/applications',
        { 'X-Forwarded-Host': 'attacker.example', 'X-Forwarded-Proto': 'http' },
        { name: 'located', key: 'located-key', type: 'HOSTED', contextPath: 'located' },
      );
      expect(response.status).toBe(201);
      const { id, self } = (await response.json()) as { id: string; self: string };
      expect(self).toBe(`https://depot.example.com/iot/application/applications/${id}`);
      expect(response.headers.get('location')).toBe(self);
    });

    it('is used for the redirect to a hosted application’s directory', async () => {
      const response = await fetch(`${t.baseUrl}/apps/located?x=1`, {
        headers: { Authorization: t.auth() },
        redirect: 'manual',
      });
      expect(response.status).toBe(301);
      expect(response.headers.get('location')).toBe('https://depot.example.com/iot/apps/located/?x=1');
    });
  });
});
