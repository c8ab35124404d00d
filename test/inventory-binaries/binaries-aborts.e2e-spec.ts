import { readdirSync } from 'node:fs';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { multipartType, partHead } from '../support/multipart';
import { blobFiles, countRows, eventually, rawRequest } from './binaries-test-kit';

type Abort = 'RST' | 'FIN' | 'malformed chunked body';

/**
 * Sends a request's head on a raw socket and ends the connection the way `abort` says, right after
 * the head (before the handler had a chance to start reading the body).
 */
async function abortedRequest(baseUrl: string, head: string[], abort: Abort): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  // Read (and drop) whatever the server answers, so its end can close the socket.
  socket.resume();
  await new Promise((resolve) => socket.once('connect', resolve));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  if (abort === 'malformed chunked body') {
    socket.write(`${[...head, 'Transfer-Encoding: chunked'].join('\r\n')}\r\n\r\nnot-a-chunk-size\r\n`);
  } else {
    socket.write(`${[...head, 'Content-Length: 1000000'].join('\r\n')}\r\n\r\n`);
    await sleep(1);
    if (abort === 'RST') socket.resetAndDestroy();
    else socket.end();
  }
  await closed;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

// A client that goes away at any moment must leave no temp file and no open file behind, on both
// ways of sending content (issue: PUT leaked both when the request had closed before the handler
// attached to it).
describe('aborted uploads and replaces leave nothing behind', () => {
  let app: TestApp;
  let id: string;
  const content = Buffer.from('the content that stays');

  beforeAll(async () => {
    app = await startTestApp();
    const created = await request(app.server)
      .post('/inventory/binaries')
      .set('Authorization', app.auth())
      .set('Accept', 'application/json')
      .attach('file', content, 'stays.txt')
      .expect(201);
    id = (created.body as { id: string }).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  const heads = (): Record<'PUT' | 'POST', string[]> => ({
    PUT: [
      `PUT /inventory/binaries/${id} HTTP/1.1`,
      'Host: depot',
      `Authorization: ${app.auth()}`,
      'Content-Type: application/octet-stream',
    ],
    POST: [
      'POST /inventory/binaries HTTP/1.1',
      'Host: depot',
      `Authorization: ${app.auth()}`,
      `Content-Type: ${multipartType()}`,
    ],
  });

  it.each([
    ['PUT', 'RST'],
    ['PUT', 'FIN'],
    ['PUT', 'malformed chunked body'],
    ['POST', 'RST'],
    ['POST', 'FIN'],
    ['POST', 'malformed chunked body'],
  ] as const)('%s: 30 requests ended by %s right after the head', async (method, abort) => {
    // Warm up (credentials cache, pool connections), so the descriptors counted are steady.
    for (let index = 0; index < 3; index++) await abortedRequest(app.baseUrl, heads()[method], abort);
    await eventually(() => blobFiles(app.dataDir).length === 1, 'the warm-up to clean up');
    await sleep(200);
    const fdsBefore = openFds();
    for (let index = 0; index < 30; index++) await abortedRequest(app.baseUrl, heads()[method], abort);
    await eventually(
      () => blobFiles(app.dataDir).length === 1 && openFds() <= fdsBefore + 3,
      `no temp file and no open descriptor left (${blobFiles(app.dataDir).length - 1} files, ${openFds() - fdsBefore} descriptors)`,
    );
    expect(await countRows(app)).toBe(1);
    const download = await rawRequest(app.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth() },
    });
    expect(download.body.toString()).toBe(content.toString());
  });

  it('cleans up a multipart POST aborted in the middle of its file, too', async () => {
    const socket = net.connect(Number(new URL(app.baseUrl).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`${[...heads().POST, 'Content-Length: 1000000'].join('\r\n')}\r\n\r\n`);
    socket.write(partHead({ name: 'file', contentType: 'image/png' }));
    socket.write(Buffer.alloc(200_000, 1));
    await eventually(() => blobFiles(app.dataDir).length === 2, 'the upload to reach the store');
    socket.resetAndDestroy();
    await eventually(() => blobFiles(app.dataDir).length === 1, 'the temp file to be removed');
    expect(await countRows(app)).toBe(1);
  });
});
