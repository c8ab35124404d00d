import * as net from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An error answered before the request body has arrived (no credentials, wrong role, declared too
 * large) closes the connection instead of reading the rest: a client must not be able to make the
 * server swallow gigabytes it has already refused.
 */
describe('errors before the body was read', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sends the head of a request that declares a 256 MiB body plus 64 KiB of it, then stops. */
  function sendPartialUpload(
    headers: Record<string, string>,
  ): Promise<{ response: string; closed: boolean }> {
    const { port } = t.server.address() as net.AddressInfo;
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let response = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ response, closed: false });
      }, 5000);
      socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ response, closed: true });
      });
      socket.on('error', reject);
      const head = [
        'POST /inventory/binaries HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: multipart/form-data; boundary=xyz',
        `Content-Length: ${256 * 1024 * 1024}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        '',
        '',
      ].join('\r\n');
      socket.write(head);
      socket.write(
        Buffer.concat([
          Buffer.from('--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'),
          Buffer.alloc(64 * 1024, 1),
        ]),
      );
    });
  }

  it('401 without credentials closes the connection without reading the rest', async () => {
    const { response, closed } = await sendPartialUpload({});
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
  });

  it('403 for a reader closes it too', async () => {
    const response = await fetch(`${t.baseUrl}/user/${t.admin.tenant}/users`, {
      method: 'POST',
      headers: { Authorization: t.auth(), 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ userName: 'reader-ub', password: 'reader-password-1', email: 'r@example.com' }),
    });
    expect(response.status).toBe(201);
    await fetch(`${t.baseUrl}/user/${t.admin.tenant}/users/reader-ub/roles`, {
      method: 'POST',
      headers: { Authorization: t.auth(), 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ role: { self: `${t.baseUrl}/user/roles/ROLE_INVENTORY_READ` } }),
    });
    const { response: answer, closed } = await sendPartialUpload({
      Authorization: t.auth('reader-ub', 'reader-password-1'),
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(closed).toBe(true);
  });

  it('keeps the connection for an error on a request without a body', async () => {
    const response = await fetch(`${t.baseUrl}/inventory/binaries/999999`, {
      headers: { Authorization: t.auth() },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('connection')).not.toBe('close');
  });
});
