import { BasicAuth, Client } from '@c8y/client';
import { LINGER_BOUNDS, Role } from '@depot/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminC8yClient } from '../support/c8y-client';
import { createUser } from '../support/factories';
import { openRawConnection, requestHead, type RawConnection } from '../support/raw-connection';
import { startTestApp, type TestApp } from '../support/test-app';

const BIG = 256 * 1024 * 1024;

/**
 * An error answered before the request body has arrived (no credentials, wrong role, unknown id,
 * declared too large) closes the connection after a lingering close: the server keeps reading and
 * discarding for a bounded time and amount, so the client reads the answer instead of failing with
 * EPIPE, and a client that keeps sending cannot make the server swallow a whole upload.
 */
describe('errors before the body was read', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sends the head of an upload declaring a 256 MiB body plus 64 KiB of it. */
  async function startUpload(
    requestLine: string,
    headers: Record<string, string>,
    allowHalfOpen = false,
  ): Promise<RawConnection> {
    const connection = await openRawConnection(t.server, { allowHalfOpen });
    connection.socket.write(
      requestHead(requestLine, {
        Host: '127.0.0.1',
        'Content-Type': 'multipart/form-data; boundary=xyz',
        'Content-Length': BIG,
        ...headers,
      }),
    );
    connection.socket.write(
      Buffer.concat([
        Buffer.from('--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'),
        Buffer.alloc(64 * 1024, 1),
      ]),
    );
    return connection;
  }

  it('401 without credentials: answered with Connection: close, closed when the client closes', async () => {
    const connection = await startUpload('POST /inventory/binaries HTTP/1.1', {});
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received.toLowerCase()).toContain('connection: close');
    // The server half-closed; this client closes its side in turn, and the server lets go at once.
    expect(await connection.closed).toBeLessThan(LINGER_BOUNDS.ms);
  });

  it('403 for a reader is answered the same way', async () => {
    const reader = await createUser(t, { userName: 'reader-lc', roles: [Role.InventoryRead] });
    const connection = await startUpload('POST /inventory/binaries HTTP/1.1', { Authorization: reader.auth });
    expect(await connection.waitFor(/\r\n\r\n\{.*\}/s)).toMatch(/^HTTP\/1\.1 403 /);
    expect(await connection.closed).toBeLessThan(LINGER_BOUNDS.ms);
  });

  it('half-closes after the answer and reads on without a reset until the time bound', async () => {
    const connection = await startUpload(
      'PUT /inventory/binaries/999999999 HTTP/1.1',
      { Authorization: t.auth() },
      true,
    );
    const errors: string[] = [];
    connection.socket.on('error', (error: NodeJS.ErrnoException) => errors.push(String(error.code)));
    let finAt: number | undefined;
    connection.socket.once('end', () => (finAt = Date.now()));
    expect(await connection.waitFor(/\r\n\r\n\{.*\}/s)).toMatch(/^HTTP\/1\.1 404 /);
    const answered = Date.now();
    let open = true;
    void connection.closed.then(() => (open = false));
    // 64 KiB every 50 ms: far below the byte bound, so only the time bound ends it.
    while (open && Date.now() - answered < LINGER_BOUNDS.ms + 3000) {
      connection.socket.write(Buffer.alloc(64 * 1024, 2));
      await sleep(50);
      // Closing at once would reset the connection: EPIPE/ECONNRESET within milliseconds.
      if (Date.now() - answered < LINGER_BOUNDS.ms - 500) expect(errors).toEqual([]);
    }
    expect(finAt).toBeDefined();
    expect(finAt! - answered).toBeLessThan(500);
    expect(open).toBe(false);
    const lingered = Date.now() - answered;
    expect(lingered).toBeGreaterThanOrEqual(LINGER_BOUNDS.ms - 200);
    expect(lingered).toBeLessThan(LINGER_BOUNDS.ms + 1500);
  });

  it('stops reading a client that keeps sending fast after the byte bound', async () => {
    const connection = await startUpload(
      'PUT /inventory/binaries/999999999 HTTP/1.1',
      { Authorization: t.auth() },
      true,
    );
    expect(await connection.waitFor(/\r\n\r\n\{.*\}/s)).toMatch(/^HTTP\/1\.1 404 /);
    const answered = Date.now();
    let open = true;
    let written = 0;
    void connection.closed.then(() => (open = false));
    const chunk = Buffer.alloc(256 * 1024, 3);
    while (open && written < BIG) {
      if (!connection.socket.write(chunk))
        await Promise.race([
          new Promise((resolve) => connection.socket.once('drain', resolve)),
          connection.closed,
        ]);
      written += chunk.length;
    }
    expect(open).toBe(false);
    expect(Date.now() - answered).toBeLessThan(LINGER_BOUNDS.ms);
    // The byte bound plus what sat in socket buffers when the server closed.
    expect(written).toBeLessThan(LINGER_BOUNDS.bytes + 32 * 1024 * 1024);
  });

  it('lets fetch read a 404 for a big upload instead of failing with EPIPE', async () => {
    const response = await fetch(`${t.baseUrl}/inventory/binaries/999999999`, {
      method: 'PUT',
      headers: { Authorization: t.auth(), 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(64 * 1024 * 1024, 4),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toBe('inventory/Not Found');
  });

  it('keeps the connection for an error on a request without a body', async () => {
    const response = await fetch(`${t.baseUrl}/inventory/binaries/999999`, {
      headers: { Authorization: t.auth() },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('connection')).not.toBe('close');
  });
});

describe('errors before the body was read, with the official client', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('@c8y/client reads the 401 for a big upload instead of failing with EPIPE', async () => {
    const client = new Client(
      new BasicAuth({ tenant: t.admin.tenant, user: t.admin.user, password: 'wrong-password' }),
      t.baseUrl,
    );
    const outcome = await client.inventoryBinary
      .create(Buffer.alloc(64 * 1024 * 1024, 6), { name: 'big.bin', type: 'application/octet-stream' })
      .then(
        () => 'created',
        (error: { res?: { status: number }; message?: string }) => error.res?.status ?? String(error.message),
      );
    expect(outcome).toBe(401);
  });

  it('@c8y/client reads the 404 for a big replace', async () => {
    const outcome = await adminC8yClient(t)
      .core.fetch('/inventory/binaries/999999999', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Buffer.alloc(64 * 1024 * 1024, 7) as unknown as RequestInit['body'],
      })
      .then(
        (response) => response.status,
        (error: Error) => error.message,
      );
    expect(outcome).toBe(404);
  });
});
