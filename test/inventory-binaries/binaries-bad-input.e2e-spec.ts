import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  blobFiles,
  countRows,
  eventually,
  json,
  openRequest,
  randomContent,
  rawRequest,
  type RawResponse,
} from './binaries-test-kit';
import { BOUNDARY, multipart, multipartType, partHead } from '../support/multipart';

const MAX = 1024 * 1024;

describe('POST /inventory/binaries with bad input', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ MAX_BINARY_SIZE: String(MAX) });
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: Buffer | string, contentType = multipartType()): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': contentType },
      body,
    });

  /** Every rejected upload must leave no row, no blob and no temp file. */
  async function expectNoResidue(): Promise<void> {
    await eventually(() => blobFiles(app.dataDir).length === 0, 'the blob store to be empty');
    expect(await countRows(app)).toBe(0);
  }

  function expectError(response: RawResponse, status: number, error: string): void {
    expect(response.status).toBe(status);
    expect(String(response.headers['content-type'])).toMatch(
      /application\/vnd\.com\.nsn\.cumulocity\.error\+json/,
    );
    const body = json(response);
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe('string');
    expect(body.info).toEqual(expect.any(String));
  }

  const file = {
    name: 'file',
    filename: 'f.bin',
    contentType: 'application/octet-stream',
    body: randomContent(5000),
  };
  const object = { name: 'object', body: JSON.stringify({ name: 'f.bin' }) };

  it('rejects a body without the file part', async () => {
    expectError(await post(multipart([object])), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('rejects invalid JSON in object, after the file was already streamed (file first)', async () => {
    expectError(
      await post(multipart([file, { name: 'object', body: '{"name": ' }])),
      400,
      'inventory/Bad Request',
    );
    await expectNoResidue();
  });

  it('rejects an object part that is not a JSON object', async () => {
    expectError(
      await post(multipart([file, { name: 'object', body: '[1,2]' }])),
      400,
      'inventory/Bad Request',
    );
    await expectNoResidue();
  });

  it('rejects a non-numeric filesize', async () => {
    expectError(
      await post(multipart([object, { name: 'filesize', body: 'ten' }, file])),
      400,
      'inventory/Bad Request',
    );
    await expectNoResidue();
  });

  it('rejects a filesize that disagrees with the bytes received, and stores nothing', async () => {
    const response = await post(
      multipart([object, { name: 'filesize', body: String(file.body.length + 1) }, file]),
    );
    expectError(response, 400, 'inventory/Bad Request');
    expect(String(json(response).message)).toMatch(/filesize/);
    await expectNoResidue();
  });

  it('accepts a matching filesize sent after the file', async () => {
    const response = await post(
      multipart([object, file, { name: 'filesize', body: String(file.body.length) }]),
    );
    expect(response.status).toBe(201);
    await request(app.server)
      .delete(`/inventory/binaries/${String(json(response).id)}`)
      .set('Authorization', app.auth())
      .expect(204);
    await expectNoResidue();
  });

  it.each([
    ['a name of 300,000 characters', { name: 'n'.repeat(300_000) }],
    ['a name one over 1,000 characters', { name: '名'.repeat(1001) }],
    ['a type one over 500 characters', { name: 'f.bin', type: 't'.repeat(501) }],
  ])('rejects %s with 422, after the file was stored, and keeps nothing', async (_case, meta) => {
    const response = await post(multipart([file, { name: 'object', body: JSON.stringify(meta) }]));
    expectError(response, 422, 'inventory/Invalid Data');
    expect(String(json(response).message)).toMatch(/at most (1000|500)/);
    await expectNoResidue();
  });

  it('accepts a name and a type at their limits, and PUT /inventory/managedObjects keeps to them', async () => {
    const meta = { name: '名'.repeat(1000), type: '型'.repeat(500) };
    const created = await post(multipart([{ name: 'object', body: JSON.stringify(meta) }, file]));
    expect(created.status).toBe(201);
    expect(json(created)).toMatchObject(meta);
    const id = String(json(created).id);
    for (const change of [{ name: 'n'.repeat(300_000) }, { type: 't'.repeat(501) }]) {
      const response = await request(app.server)
        .put(`/inventory/managedObjects/${id}`)
        .set('Authorization', app.auth())
        .send(change);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error: 'inventory/Invalid Data' });
    }
    const unchanged = await request(app.server)
      .get(`/inventory/managedObjects/${id}`)
      .set('Authorization', app.auth());
    expect(unchanged.body).toMatchObject(meta);
    await request(app.server)
      .delete(`/inventory/binaries/${id}`)
      .set('Authorization', app.auth())
      .expect(204);
    await expectNoResidue();
  });

  it('rejects a truncated multipart body (no closing boundary)', async () => {
    const complete = multipart([object, file]);
    expectError(await post(complete.subarray(0, complete.length - 200)), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('rejects malformed multipart (garbage instead of parts)', async () => {
    expectError(await post(`--${BOUNDARY}\r\nthis is not a header block`), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('rejects multipart without a boundary parameter', async () => {
    expectError(await post(multipart([object, file]), 'multipart/form-data'), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('rejects a body that is not multipart at all', async () => {
    expectError(await post('{"name":"x"}', 'application/json'), 400, 'inventory/Bad Request');
    expectError(await post('raw bytes', 'application/octet-stream'), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('rejects an object part over the field limit after the file was stored, and removes the file', async () => {
    const huge = JSON.stringify({ name: 'x', c8y_Padding: 'p'.repeat(1024 * 1024 + 10) });
    const response = await post(multipart([file, { name: 'object', body: huge }]));
    expectError(response, 413, 'inventory/Payload Too Large');
    await expectNoResidue();
  });

  it('rejects two file parts', async () => {
    expectError(await post(multipart([file, file, object])), 400, 'inventory/Bad Request');
    await expectNoResidue();
  });

  it('answers 413 as soon as the file passes MAX_BINARY_SIZE, without waiting for the rest, and keeps nothing', async () => {
    const { request: upload, response } = openRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        authorization: app.auth(),
        accept: 'application/json',
        'content-type': multipartType(),
        'transfer-encoding': 'chunked',
      },
    });
    upload.write(partHead({ name: 'object' }));
    upload.write('{"name":"huge.bin"}\r\n');
    upload.write(partHead({ name: 'file', filename: 'huge.bin', contentType: 'application/octet-stream' }));
    // Twice the limit, then the body stays open: the answer must come without the end of the body.
    for (let sent = 0; sent < 2 * MAX; sent += 64 * 1024) upload.write(randomContent(64 * 1024));
    const answer = await response;
    expectError(answer, 413, 'inventory/Payload Too Large');
    upload.destroy();
    await expectNoResidue();
  });

  it('answers 413 before reading a body whose declared length cannot fit', async () => {
    const { request: upload, response } = openRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        authorization: app.auth(),
        accept: 'application/json',
        'content-type': multipartType(),
        'content-length': String(10 * MAX),
      },
    });
    upload.write(
      partHead({ name: 'file', filename: 'declared.bin', contentType: 'application/octet-stream' }),
    );
    expectError(await response, 413, 'inventory/Payload Too Large');
    upload.destroy();
    await expectNoResidue();
  });

  it('answers 413 for an oversize chunked file that does end', async () => {
    const response = await post(multipart([object, { ...file, body: randomContent(MAX + 1) }])).catch(
      (error: NodeJS.ErrnoException) => error,
    );
    // Either the 413 arrives, or the server closed the connection while we were still writing.
    if ('status' in response) expectError(response, 413, 'inventory/Payload Too Large');
    else expect(['EPIPE', 'ECONNRESET']).toContain(response.code);
    await expectNoResidue();
  });

  it('accepts a file of exactly MAX_BINARY_SIZE', async () => {
    const response = await post(multipart([object, { ...file, body: randomContent(MAX) }]));
    expect(response.status).toBe(201);
    expect(json(response).length).toBe(MAX);
    await request(app.server)
      .delete(`/inventory/binaries/${String(json(response).id)}`)
      .set('Authorization', app.auth())
      .expect(204);
    await expectNoResidue();
  });

  it('cleans up when the client aborts in the middle of the file', async () => {
    const { request: upload, response } = openRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        authorization: app.auth(),
        'content-type': multipartType(),
        'content-length': String(600_000),
      },
    });
    response.catch(() => undefined); // the client hangs up itself
    upload.write(
      partHead({ name: 'file', filename: 'aborted.bin', contentType: 'application/octet-stream' }),
    );
    upload.write(randomContent(300_000));
    // Let the server start writing the temp file, then go away.
    await eventually(() => blobFiles(app.dataDir).length > 0, 'the upload to reach the store');
    upload.destroy();
    await expectNoResidue();
  });
});

describe('ids', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['999999', 'abc', '-1', '1.5', '99999999999999999999999'])(
    'answers 404 inventory/Not Found for unknown or non-numeric id %s on every method',
    async (id) => {
      for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
        const response = await rawRequest(app.baseUrl, {
          method,
          path: `/inventory/binaries/${id}`,
          headers: { authorization: app.auth() },
        });
        expect(response.status).toBe(404);
        if (method !== 'HEAD') expect(json(response).error).toBe('inventory/Not Found');
      }
      const put = await rawRequest(app.baseUrl, {
        method: 'PUT',
        path: `/inventory/binaries/${id}`,
        headers: { authorization: app.auth(), 'content-type': 'text/plain' },
        body: 'new content',
      });
      expect(put.status).toBe(404);
      expect(json(put).error).toBe('inventory/Not Found');
      const managedObject = await rawRequest(app.baseUrl, {
        method: 'GET',
        path: `/inventory/managedObjects/${id}`,
        headers: { authorization: app.auth() },
      });
      expect(managedObject.status).toBe(404);
    },
  );

  it('requires credentials', async () => {
    const response = await rawRequest(app.baseUrl, { method: 'GET', path: '/inventory/binaries' });
    expect(response.status).toBe(401);
    expect(json(response).error).toBe('security/Unauthorized');
  });
});
