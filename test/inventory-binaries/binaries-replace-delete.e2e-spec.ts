import { createHash } from 'node:crypto';
import * as http from 'node:http';
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
import { multipart, multipartType } from '../support/multipart';

describe('PUT and DELETE /inventory/binaries/{id}, /inventory/managedObjects/{id}', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ MAX_BINARY_SIZE: String(8 * 1024 * 1024) });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function upload(
    content: Buffer,
    object: Record<string, unknown> = { name: 'data.bin' },
  ): Promise<Record<string, unknown>> {
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify(object) },
        { name: 'file', filename: 'data.bin', contentType: 'application/octet-stream', body: content },
      ]),
    });
    expect(response.status).toBe(201);
    return json(response);
  }

  const put = (
    id: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${id}`,
      headers: {
        authorization: app.auth(),
        accept: 'application/json',
        'content-type': 'text/plain',
        ...headers,
      },
      body,
    });

  const download = (id: string): Promise<RawResponse> =>
    rawRequest(app.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth() },
    });

  it('replaces the content from the raw body: 201, new length/digest/revpos/contentType, metadata kept, old blob gone', async () => {
    const created = await upload(randomContent(1000), {
      name: 'doc.txt',
      type: 'c8y_doc',
      c8y_Keep: { x: 1 },
    });
    const id = String(created.id);
    const before = blobFiles(app.dataDir);
    const replacement = '{"this": "is a JSON file, not a request body to parse"}';
    const response = await put(id, replacement, { 'content-type': 'application/json' });
    expect(response.status).toBe(201);
    const body = json(response);
    expect(body).toMatchObject({
      id,
      name: 'doc.txt',
      type: 'c8y_doc',
      c8y_Keep: { x: 1 },
      contentType: 'application/json',
      length: Buffer.byteLength(replacement),
      _attachments: {
        'doc.txt': {
          revpos: 2,
          digest: `md5-${createHash('md5').update(replacement).digest('base64')}`,
          length: Buffer.byteLength(replacement),
        },
      },
    });
    expect(Date.parse(String(body.lastUpdated))).toBeGreaterThanOrEqual(
      Date.parse(String(created.lastUpdated)),
    );
    expect((await download(id)).body.toString()).toBe(replacement);
    // One blob for this object before and after: the old one was removed after the commit.
    expect(blobFiles(app.dataDir).length).toBe(before.length);
    expect(blobFiles(app.dataDir)).not.toEqual(before);
  });

  it('answers 412 to a stale If-Match and keeps the content; a current one replaces', async () => {
    const id = String((await upload(Buffer.from('version 1'))).id);
    const etag = String((await download(id)).headers.etag);
    expect((await put(id, 'version 2', { 'if-match': etag })).status).toBe(201);
    const stale = await put(id, 'version 3', { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(json(stale).error).toBe('inventory/Precondition Failed');
    expect((await download(id)).body.toString()).toBe('version 2');
  });

  it('answers 400 to a PUT without a body', async () => {
    const id = String((await upload(Buffer.from('keep me'))).id);
    const response = await rawRequest(app.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth(), accept: 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(json(response).error).toBe('inventory/Bad Request');
    expect((await download(id)).body.toString()).toBe('keep me');
  });

  it('answers 413 to an oversize PUT (declared or streamed) and keeps the old content and nothing else', async () => {
    const id = String((await upload(Buffer.from('small'))).id);
    const filesBefore = blobFiles(app.dataDir).length;
    const declared = await put(id, Buffer.alloc(0), { 'content-length': String(9 * 1024 * 1024) }).catch(
      (error: NodeJS.ErrnoException) => error,
    );
    if ('status' in declared) expect(declared.status).toBe(413);
    const { request, response } = openRequest(app.baseUrl, {
      method: 'PUT',
      path: `/inventory/binaries/${id}`,
      headers: {
        authorization: app.auth(),
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
      },
    });
    for (let sent = 0; sent < 9 * 1024 * 1024; sent += 256 * 1024) request.write(randomContent(256 * 1024));
    const streamed = await response;
    expect(streamed.status).toBe(413);
    expect(json(streamed).error).toBe('inventory/Payload Too Large');
    request.destroy();
    await eventually(
      () => blobFiles(app.dataDir).length === filesBefore,
      'the partial replacement to be removed',
    );
    expect((await download(id)).body.toString()).toBe('small');
  });

  it('closes the connection instead of draining a large body it refuses (unknown id, stale If-Match)', async () => {
    const id = String((await upload(Buffer.from('guarded'))).id);
    const etag = String((await download(id)).headers.etag);
    await put(id, 'moved on', { 'if-match': etag });
    for (const [path, headers, status] of [
      ['/inventory/binaries/999999999', {}, 404],
      [`/inventory/binaries/${id}`, { 'if-match': etag }, 412],
    ] as const) {
      const { request, response } = openRequest(app.baseUrl, {
        method: 'PUT',
        path,
        headers: {
          authorization: app.auth(),
          'content-type': 'application/octet-stream',
          'content-length': String(7 * 1024 * 1024),
          ...headers,
        },
      });
      request.write(randomContent(64 * 1024)); // the rest never comes
      const answer = await response;
      expect(answer.status).toBe(status);
      expect(answer.headers.connection).toBe('close');
      request.destroy();
    }
    expect((await download(id)).body.toString()).toBe('moved on');
  });

  it('gives a concurrent reader the old or the new content, never a mix', async () => {
    const size = 4 * 1024 * 1024;
    const oldContent = Buffer.alloc(size, 'a');
    const newContent = Buffer.alloc(size, 'b');
    const id = String((await upload(oldContent)).id);
    // A slow reader: the response is consumed a little at a time while the replace commits.
    const slowRead = new Promise<Buffer>((resolve, reject) => {
      http.get(
        `${app.baseUrl}/inventory/binaries/${id}`,
        { headers: { authorization: app.auth() } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            response.pause();
            setTimeout(() => response.resume(), 5);
          });
          response.on('end', () => resolve(Buffer.concat(chunks)));
          response.on('error', reject);
        },
      );
    });
    const readers: Array<Promise<Buffer>> = [slowRead];
    const replaced = put(id, newContent, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < 10; i++) {
      readers.push(download(id).then((response) => response.body));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await replaced).status).toBe(201);
    for (const body of await Promise.all(readers)) {
      expect(body.length).toBe(size);
      const allOld = body.equals(oldContent);
      const allNew = body.equals(newContent);
      expect(allOld || allNew).toBe(true);
    }
    expect((await download(id)).body.equals(newContent)).toBe(true);
  });

  it('serializes concurrent replaces: one wins, revpos counts each, no blob is left behind', async () => {
    const id = String((await upload(Buffer.from('start'))).id);
    const files = blobFiles(app.dataDir).length;
    const contents = ['first '.repeat(50_000), 'second '.repeat(50_000), 'third '.repeat(50_000)];
    const results = await Promise.all(contents.map((content) => put(id, content)));
    expect(results.map((result) => result.status)).toEqual([201, 201, 201]);
    const final = await download(id);
    expect(contents).toContain(final.body.toString());
    const object = await rawRequest(app.baseUrl, {
      method: 'GET',
      path: `/inventory/managedObjects/${id}`,
      headers: { authorization: app.auth() },
    });
    expect(json(object)._attachments).toMatchObject({ 'data.bin': { revpos: 4 } });
    expect(blobFiles(app.dataDir)).toHaveLength(files);
  });

  it('DELETE answers 204 and removes the row and the blob', async () => {
    const id = String((await upload(randomContent(500))).id);
    const rows = await countRows(app);
    const files = blobFiles(app.dataDir).length;
    const response = await rawRequest(app.baseUrl, {
      method: 'DELETE',
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth() },
    });
    expect(response.status).toBe(204);
    expect(await countRows(app)).toBe(rows - 1);
    expect(blobFiles(app.dataDir).length).toBe(files - 1);
    expect((await download(id)).status).toBe(404);
  });

  describe('/inventory/managedObjects/{id}', () => {
    it('GET returns the binary managed object', async () => {
      const created = await upload(Buffer.from('mo'), { name: 'mo.txt', c8y_Fragment: { a: 1 } });
      const response = await rawRequest(app.baseUrl, {
        method: 'GET',
        path: `/inventory/managedObjects/${String(created.id)}`,
        headers: { authorization: app.auth() },
      });
      expect(response.status).toBe(200);
      expect(json(response)).toMatchObject({
        id: created.id,
        name: 'mo.txt',
        c8y_IsBinary: {},
        c8y_Fragment: { a: 1 },
      });
      expect(String(response.headers['content-type'])).toMatch(/managedObject\+json/i);
    });

    it('PUT merges fragments, removes null ones and ignores read-only fields', async () => {
      const created = await upload(Buffer.from('mo'), { name: 'before', c8y_A: { a: 1 }, c8y_B: { b: 1 } });
      const id = String(created.id);
      const response = await rawRequest(app.baseUrl, {
        method: 'PUT',
        path: `/inventory/managedObjects/${id}`,
        headers: {
          authorization: app.auth(),
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name: 'after',
          c8y_A: null,
          c8y_C: { c: 3 },
          id: '1',
          self: 'http://evil/',
          owner: 'mallory',
          creationTime: '2000-01-01T00:00:00Z',
          lastUpdated: '2000-01-01T00:00:00Z',
          c8y_IsBinary: null,
          length: 1,
          contentType: 'text/evil',
          _attachments: {},
        }),
      });
      expect(response.status).toBe(200);
      const body = json(response);
      expect(body).toMatchObject({
        id,
        name: 'after',
        c8y_B: { b: 1 },
        c8y_C: { c: 3 },
        owner: app.admin.user,
        c8y_IsBinary: {},
        length: 2,
        contentType: created.contentType,
        creationTime: created.creationTime,
      });
      expect(body).not.toHaveProperty('c8y_A');
      expect(body.self).toBe(created.self);
      expect((await download(id)).body.toString()).toBe('mo');
    });

    it('PUT rejects a body that is not an object or a non-string name with 422', async () => {
      const id = String((await upload(Buffer.from('mo'))).id);
      for (const body of ['[1]', '{"name": 5}']) {
        const response = await rawRequest(app.baseUrl, {
          method: 'PUT',
          path: `/inventory/managedObjects/${id}`,
          headers: {
            authorization: app.auth(),
            accept: 'application/json',
            'content-type': 'application/json',
          },
          body,
        });
        expect(response.status).toBe(422);
        expect(json(response).error).toBe('inventory/Invalid Data');
      }
    });

    it('DELETE removes the row and the blob', async () => {
      const id = String((await upload(randomContent(100))).id);
      const files = blobFiles(app.dataDir).length;
      const response = await rawRequest(app.baseUrl, {
        method: 'DELETE',
        path: `/inventory/managedObjects/${id}`,
        headers: { authorization: app.auth() },
      });
      expect(response.status).toBe(204);
      expect(blobFiles(app.dataDir).length).toBe(files - 1);
      expect((await download(id)).status).toBe(404);
    });
  });
});
