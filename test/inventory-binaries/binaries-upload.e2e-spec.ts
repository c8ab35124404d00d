import contentDisposition from 'content-disposition';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { blobFiles, countRows, randomContent, rawRequest, json } from './binaries-test-kit';
import { everyByte, multipart, multipartType, UNNAMED_CONTENT_SHAPES } from '../support/multipart';

describe('POST /inventory/binaries', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const md5Base64 = (data: Buffer): string => createHash('md5').update(data).digest('base64');

  it('stores the file part and answers 201, Location and the managed object (object part first)', async () => {
    const content = randomContent(70_000);
    const response = await request(app.server)
      .post('/inventory/binaries')
      .set('Authorization', app.auth())
      .set('Accept', 'application/json')
      .field('object', JSON.stringify({ name: 'report.pdf', type: 'application/pdf', c8y_Custom: { a: 1 } }))
      .field('filesize', String(content.length))
      .attach('file', content, { filename: 'ignored-name.pdf', contentType: 'application/pdf' });
    expect(response.status).toBe(201);
    const body = response.body as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'report.pdf',
      type: 'application/pdf',
      contentType: 'application/pdf',
      length: content.length,
      owner: app.admin.user,
      c8y_IsBinary: {},
      c8y_Custom: { a: 1 },
      _attachments: {
        'report.pdf': {
          stub: true,
          length: content.length,
          digest: `md5-${md5Base64(content)}`,
          revpos: 1,
          content_type: 'application/pdf',
        },
      },
    });
    expect(body.id).toMatch(/^\d+$/);
    expect(body.self).toBe(`${app.baseUrl}/inventory/binaries/${String(body.id)}`);
    expect(response.headers.location).toBe(body.self);
    expect(Date.parse(body.creationTime as string)).not.toBeNaN();
    expect(Date.parse(body.lastUpdated as string)).not.toBeNaN();
    expect(response.headers['content-type']).toMatch(
      /application\/vnd\.com\.nsn\.cumulocity\.managedObject\+json/i,
    );

    const download = await request(app.server)
      .get(`/inventory/binaries/${String(body.id)}`)
      .set('Authorization', app.auth())
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.body as Buffer, content)).toBe(0);
  });

  it('accepts the file part before the object part (as the official client sends it)', async () => {
    const content = Buffer.from('file before object');
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'file', filename: 'first.txt', contentType: 'text/plain', body: content },
        { name: 'object', body: JSON.stringify({ name: 'named-in-object.txt', type: 'c8y_upload' }) },
      ]),
    });
    expect(response.status).toBe(201);
    expect(json(response)).toMatchObject({
      name: 'named-in-object.txt',
      type: 'c8y_upload',
      contentType: 'text/plain',
      length: content.length,
    });
  });

  it('falls back to the filename for the name and to a MIME-like type for the content type', async () => {
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ type: 'image/png' }) },
        { name: 'file', filename: 'picture.png', contentType: 'application/octet-stream', body: 'png-bytes' },
      ]),
    });
    expect(response.status).toBe(201);
    expect(json(response)).toMatchObject({
      name: 'picture.png',
      type: 'image/png',
      contentType: 'image/png',
    });
  });

  it('uses application/octet-stream when neither the part nor the type names a media type', async () => {
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ name: 'x.bin', type: 'c8y_upload' }) },
        { name: 'file', filename: 'x.bin', contentType: 'application/octet-stream', body: 'raw' },
      ]),
    });
    expect(response.status).toBe(201);
    expect(json(response).contentType).toBe('application/octet-stream');
  });

  // A third-party client sends the file part without filename and with the file's own type: it is
  // content because it is named "file", and its bytes are stored as sent, never decoded as text.
  it.each(UNNAMED_CONTENT_SHAPES)(
    'stores a file part sent as %s byte for byte (every byte value, 3 MiB and more)',
    async (_label, contentType) => {
      const content = everyByte(3 * 1024 * 1024 + 1000);
      const response = await rawRequest(app.baseUrl, {
        method: 'POST',
        path: '/inventory/binaries',
        headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
        body: multipart([
          { name: 'object', body: JSON.stringify({ name: 'every-byte.bin', type: 'c8y_upload' }) },
          { name: 'file', contentType, body: content },
        ]),
      });
      expect(response.status).toBe(201);
      // A part without Content-Type is text/plain (RFC 7578 §4.4).
      expect(json(response)).toMatchObject({
        length: content.length,
        contentType: contentType ?? 'text/plain',
      });
      const download = await rawRequest(app.baseUrl, {
        method: 'GET',
        path: `/inventory/binaries/${String(json(response).id)}`,
        headers: { authorization: app.auth() },
      });
      expect(download.headers['content-type']).toMatch(new RegExp(`^${contentType ?? 'text/plain'}`));
      expect(Buffer.compare(download.body, content)).toBe(0);
    },
  );

  it('accepts a file part without a filename, binary or text', async () => {
    const binary = randomContent(3000);
    const unnamedBinary = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'file', contentType: 'application/octet-stream', body: binary },
        { name: 'object', body: JSON.stringify({ name: 'no-filename.bin' }) },
      ]),
    });
    expect(unnamedBinary.status).toBe(201);
    expect(json(unnamedBinary)).toMatchObject({ name: 'no-filename.bin', length: binary.length });

    const unnamedText = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
      body: multipart([
        { name: 'object', body: JSON.stringify({ name: 'note.txt' }) },
        { name: 'file', body: 'just text, no filename' },
      ]),
    });
    expect(unnamedText.status).toBe(201);
    const id = String(json(unnamedText).id);
    const download = await rawRequest(app.baseUrl, {
      method: 'GET',
      path: `/inventory/binaries/${id}`,
      headers: { authorization: app.auth() },
    });
    expect(download.body.toString()).toBe('just text, no filename');
  });

  it('accepts a chunked body (no Content-Length)', async () => {
    const content = randomContent(200_000);
    const body = multipart([
      { name: 'object', body: JSON.stringify({ name: 'chunked.bin' }) },
      { name: 'file', filename: 'chunked.bin', contentType: 'application/octet-stream', body: content },
    ]);
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: {
        authorization: app.auth(),
        accept: 'application/json',
        'content-type': multipartType(),
        'transfer-encoding': 'chunked',
      },
      body,
    });
    expect(response.status).toBe(201);
    expect(json(response).length).toBe(content.length);
  });

  it('keeps a name with quotes, CR/LF, ../ or non-Latin characters as metadata only', async () => {
    for (const name of ['quote"d.txt', 'line\r\nbreak.txt', '../../etc/passwd', 'отчёт 数据.txt']) {
      const response = await request(app.server)
        .post('/inventory/binaries')
        .set('Authorization', app.auth())
        .set('Accept', 'application/json')
        .field('object', JSON.stringify({ name }))
        .attach('file', Buffer.from('content'), { filename: 'safe.txt', contentType: 'text/plain' });
      expect(response.status).toBe(201);
      expect((response.body as { name: string }).name).toBe(name);
      const download = await rawRequest(app.baseUrl, {
        method: 'GET',
        path: `/inventory/binaries/${String((response.body as { id: string }).id)}`,
        headers: { authorization: app.auth() },
      });
      expect(download.status).toBe(200);
      const disposition = String(download.headers['content-disposition']);
      // Printable ASCII only; the exact name (filename*, when it is not plain ASCII) decodes back.
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]*"(; filename\*=UTF-8''[\x21-\x7e]+)?$/);
      expect(contentDisposition.parse(disposition).parameters.filename).toBe(name.replace(/\//g, '_'));
    }
    // Nothing was written outside the blob store's own layout.
    expect(blobFiles(app.dataDir).every((file) => !file.includes('..'))).toBe(true);
  });

  it('takes the name from a non-Latin, quoted or path-like filename of the file part', async () => {
    const cases: Array<[string, string]> = [
      ['отчёт 数据.txt', 'отчёт 数据.txt'],
      ['say %22hi%22.txt', 'say "hi".txt'], // browsers escape quotes in filenames as %22
      ['../../etc/passwd', 'passwd'], // path components never survive
    ];
    for (const [sent, stored] of cases) {
      const response = await rawRequest(app.baseUrl, {
        method: 'POST',
        path: '/inventory/binaries',
        headers: { authorization: app.auth(), accept: 'application/json', 'content-type': multipartType() },
        body: multipart([{ name: 'file', filename: sent, contentType: 'text/plain', body: 'x' }]),
      });
      expect(response.status).toBe(201);
      expect(json(response).name).toBe(stored);
    }
  });

  it('answers an empty body without an Accept header (status unchanged)', async () => {
    const response = await rawRequest(app.baseUrl, {
      method: 'POST',
      path: '/inventory/binaries',
      headers: { authorization: app.auth(), 'content-type': multipartType() },
      body: multipart([{ name: 'file', filename: 'a.txt', contentType: 'text/plain', body: 'a' }]),
    });
    expect(response.status).toBe(201);
    expect(response.body.length).toBe(0);
    expect(response.headers.location).toMatch(/\/inventory\/binaries\/\d+$/);
  });

  it('stores exactly one row and one blob per upload', async () => {
    const rowsBefore = await countRows(app);
    const blobsBefore = blobFiles(app.dataDir).length;
    const response = await request(app.server)
      .post('/inventory/binaries')
      .set('Authorization', app.auth())
      .attach('file', Buffer.from('one'), { filename: 'one.txt' });
    expect(response.status).toBe(201);
    expect(await countRows(app)).toBe(rowsBefore + 1);
    expect(blobFiles(app.dataDir).length).toBe(blobsBefore + 1);
  });
});
