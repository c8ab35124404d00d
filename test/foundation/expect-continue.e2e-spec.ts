import { Role } from '@depot/common';
import { multipart, multipartType } from '../support/multipart';
import { createUser } from '../support/factories';
import { openRawConnection, requestHead } from '../support/raw-connection';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * `Expect: 100-continue` is answered only once the request passed authentication, the roles check
 * and the declared-size check: a refused client gets its final answer, never a 100 inviting a body
 * that would be thrown away.
 */
describe('Expect: 100-continue', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MAX_BINARY_SIZE: '1MiB' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const body = multipart([
    { name: 'object', body: JSON.stringify({ name: 'continued.txt', type: 'text/plain' }) },
    { name: 'file', filename: 'continued.txt', contentType: 'text/plain', body: 'sent after the 100' },
  ]);

  async function expectingContinue(headers: Record<string, string | number>) {
    const connection = await openRawConnection(t.server);
    connection.socket.write(
      requestHead('POST /inventory/binaries HTTP/1.1', {
        Host: '127.0.0.1',
        Accept: 'application/json',
        'Content-Type': multipartType(),
        'Content-Length': body.length,
        Expect: '100-continue',
        ...headers,
      }),
    );
    return connection;
  }

  it.each([
    [
      'bad credentials',
      { Authorization: `Basic ${Buffer.from('management/admin:wrong').toString('base64')}` },
    ],
    ['no credentials', {}],
  ])('answers %s with 401 and no 100 Continue', async (_label, headers) => {
    const connection = await expectingContinue(headers);
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received).not.toContain('100 Continue');
    connection.socket.destroy();
  });

  it('answers a reader (no write role) with 403 and no 100 Continue', async () => {
    const reader = await createUser(t, { userName: 'reader-100', roles: [Role.InventoryRead] });
    const connection = await expectingContinue({ Authorization: reader.auth });
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 403 /);
    expect(received).not.toContain('100 Continue');
    connection.socket.destroy();
  });

  it('answers a declared size over the limit with 413 and no 100 Continue', async () => {
    const connection = await expectingContinue({
      Authorization: t.auth(),
      'Content-Length': 64 * 1024 * 1024,
    });
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).not.toContain('100 Continue');
    connection.socket.destroy();
  });

  it('sends 100 Continue to an authorized upload, which then succeeds', async () => {
    const connection = await expectingContinue({ Authorization: t.auth() });
    expect(await connection.waitFor(/\r\n\r\n/)).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    connection.socket.write(body);
    const received = await connection.waitFor(/HTTP\/1\.1 201 [^]*\r\n\r\n\{.*\}/s);
    expect(received).toContain('"name":"continued.txt"');
    connection.socket.destroy();
  });

  it('sends 100 Continue for a JSON body only after authentication', async () => {
    const connection = await openRawConnection(t.server);
    const json = JSON.stringify({ name: 'x', key: 'x-key', type: 'HOSTED', contextPath: 'x' });
    connection.socket.write(
      requestHead('POST /application/applications HTTP/1.1', {
        Host: '127.0.0.1',
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(json),
        Expect: '100-continue',
      }),
    );
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received).not.toContain('100 Continue');
    connection.socket.destroy();
  });
});
