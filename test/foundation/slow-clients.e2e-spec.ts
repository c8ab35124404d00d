import { setTimeout as sleep } from 'node:timers/promises';
import { multipart, multipartType, partHead } from '../support/multipart';
import { openRawConnection, requestHead } from '../support/raw-connection';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A request may take as long as it needs while its bytes keep coming (devices on slow links upload
 * for hours), but may not sit idle: REQUEST_IDLE_TIMEOUT_SECONDS (1 s here) bounds the silence.
 */
describe('slow and stalled clients', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REQUEST_IDLE_TIMEOUT_SECONDS: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Opens a connection and sends the head of an upload declaring `length` body bytes. */
  async function startUpload(length: number) {
    const connection = await openRawConnection(t.server);
    connection.socket.write(
      requestHead('POST /inventory/binaries HTTP/1.1', {
        Host: '127.0.0.1',
        Authorization: t.auth(),
        Accept: 'application/json',
        'Content-Type': multipartType(),
        'Content-Length': length,
      }),
    );
    return connection;
  }

  it('puts no bound on the total duration, only on the head and on idleness', () => {
    // Node's default requestTimeout (300 s) cuts any upload slower than MAX_BINARY_SIZE / 300 s.
    expect(t.server.requestTimeout).toBe(0);
    expect(t.server.headersTimeout).toBe(60_000);
    expect(t.server.timeout).toBe(1000);
  });

  it('accepts an upload that trickles in for several times the idle bound', async () => {
    const content = Buffer.alloc(16 * 1024, 'x');
    const body = multipart([
      { name: 'object', body: JSON.stringify({ name: 'trickle.txt', type: 'text/plain' }) },
      { name: 'file', filename: 'trickle.txt', contentType: 'text/plain', body: content },
    ]);
    const connection = await startUpload(body.length);
    // 16 chunks, 250 ms apart: 4 s in all, never 1 s idle.
    const chunk = Math.ceil(body.length / 16);
    for (let offset = 0; offset < body.length; offset += chunk) {
      await sleep(250);
      connection.socket.write(body.subarray(offset, offset + chunk));
    }
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s);
    expect(received).toMatch(/^HTTP\/1\.1 201 /);
    expect(received).toContain(`"length":${content.length}`);
    connection.socket.destroy();
  });

  it('answers a body that stops arriving with 408 and closes within the idle bound', async () => {
    const connection = await startUpload(1024 * 1024);
    connection.socket.write(partHead({ name: 'file', filename: 'stalled.bin' }));
    connection.socket.write(Buffer.alloc(1000, 1));
    const received = await connection.waitFor(/\r\n\r\n\{.*\}/s, 4000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"error":"inventory/Request Timeout"');
    expect(await connection.closed).toBeLessThan(4000);
  });

  it('closes a connection whose request head stops arriving', async () => {
    const connection = await openRawConnection(t.server);
    connection.socket.write('GET /inventory/binaries HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await connection.closed).toBeLessThan(4000);
  });

  it('closes a download whose client stops reading', async () => {
    const content = Buffer.alloc(48 * 1024 * 1024, 'd');
    const upload = multipart([
      { name: 'file', filename: 'big.bin', contentType: 'application/octet-stream', body: content },
    ]);
    const uploading = await startUpload(upload.length);
    uploading.socket.write(upload);
    const created = await uploading.waitFor(/\r\n\r\n\{.*\}/s, 30_000);
    uploading.socket.destroy();
    const id = /"id":"(\d+)"/.exec(created)?.[1];
    expect(id).toBeDefined();
    const connection = await openRawConnection(t.server);
    connection.socket.write(
      requestHead(`GET /inventory/binaries/${id} HTTP/1.1`, { Host: '127.0.0.1', Authorization: t.auth() }),
    );
    // Reads nothing for 3 s: once the socket buffers are full, the server's writes stop moving.
    connection.socket.pause();
    await sleep(3000);
    connection.socket.resume();
    await connection.closed;
    // What the buffers held arrives, then the end: the server gave up on the rest.
    expect(connection.received().length).toBeLessThan(content.length);
  });
});
