import { Logger } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { get as httpGet } from 'node:http';
import { Readable } from 'node:stream';
import request from 'supertest';
import { handleRequestError } from './cumulocity-exception.filter';
import { DownloadGoneError } from './download.errors';
import { sendDownload, type DownloadContent } from './send-download';
import type { ByteSpan } from './plan-download';

const bytes = Buffer.from('0123456789abcdefghij');

/** Content over `data`; records every range it was opened with. */
function contentOf(
  data: Buffer,
  overrides: Partial<DownloadContent> = {},
): DownloadContent & { opened: Array<ByteSpan | undefined> } {
  const opened: Array<ByteSpan | undefined> = [];
  return {
    length: data.length,
    etag: '"v1"',
    lastModified: new Date('2026-01-02T03:04:05Z'),
    contentType: 'text/plain',
    attachmentName: 'notes.txt',
    headers: { 'Cache-Control': 'no-cache' },
    open: (range) => {
      opened.push(range);
      return Promise.resolve(Readable.from([range ? data.subarray(range.start, range.end + 1) : data]));
    },
    ...overrides,
    opened,
  };
}

function serve(content: () => DownloadContent): express.Express {
  const app = express();
  app.get('/inventory/binaries/1', (req: Request, res: Response, next: NextFunction) => {
    sendDownload(req, res, content()).catch(next);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    handleRequestError(error, req, res, new Logger('test'));
  });
  return app;
}

/** A GET of `content` with `headers`. */
const get = (content: DownloadContent, headers: Record<string, string> = {}) =>
  request(serve(() => content))
    .get('/inventory/binaries/1')
    .set(headers);

describe('sendDownload', () => {
  it('sends the whole content with its validators, type, disposition and headers', async () => {
    const content = contentOf(bytes);
    const response = await get(content);
    expect(response.status).toBe(200);
    expect(response.text).toBe(bytes.toString());
    expect(response.headers).toMatchObject({
      etag: '"v1"',
      'last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      'content-type': 'text/plain',
      'content-disposition': 'attachment; filename="notes.txt"',
      'content-length': String(bytes.length),
    });
    expect(content.opened).toEqual([undefined]);
  });

  it('answers HEAD with the same headers and never opens the content', async () => {
    const content = contentOf(bytes);
    const response = await request(serve(() => content)).head('/inventory/binaries/1');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(bytes.length));
    expect(response.headers['content-disposition']).toBe('attachment; filename="notes.txt"');
    expect(content.opened).toEqual([]);
  });

  it('answers 304 with the validators and the headers, without type, disposition or opening', async () => {
    const content = contentOf(bytes);
    const response = await get(content, { 'If-None-Match': '"v1"' });
    expect(response.status).toBe(304);
    expect(response.headers).toMatchObject({ etag: '"v1"', 'cache-control': 'no-cache' });
    expect(response.headers['content-type']).toBeUndefined();
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(content.opened).toEqual([]);
  });

  it('opens only the range it serves (206)', async () => {
    const content = contentOf(bytes);
    const response = await get(content, { Range: 'bytes=-5' });
    expect(response.status).toBe(206);
    expect(response.text).toBe('fghij');
    expect(response.headers['content-range']).toBe('bytes 15-19/20');
    expect(response.headers['content-length']).toBe('5');
    expect(content.opened).toEqual([{ start: 15, end: 19 }]);
  });

  it('answers an unsatisfiable range with a Cumulocity 416 and Content-Range: bytes */length', async () => {
    const content = contentOf(bytes);
    const response = await get(content, { Range: 'bytes=20-' });
    expect(response.status).toBe(416);
    expect(response.headers['content-range']).toBe('bytes */20');
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(response.body).toMatchObject({ error: 'inventory/Range Not Satisfiable' });
    expect(content.opened).toEqual([]);
  });

  it('sends empty content without opening it', async () => {
    const content = contentOf(Buffer.alloc(0));
    const response = await get(content);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('0');
    expect(content.opened).toEqual([]);
  });

  it('describes the content again when its bytes went away, and sends the new description', async () => {
    const replacement = contentOf(Buffer.from('new'), { etag: '"v2"' });
    const stale = contentOf(bytes, {
      open: () => Promise.reject(new DownloadGoneError('The content')),
      reload: () => Promise.resolve(replacement),
    });
    const response = await get(stale);
    expect(response.status).toBe(200);
    expect(response.text).toBe('new');
    expect(response.headers.etag).toBe('"v2"');
    expect(response.headers['content-length']).toBe('3');
  });

  it('answers 404 at once when content that cannot be described again went away', async () => {
    const content = contentOf(bytes, { open: () => Promise.reject(new DownloadGoneError('The file')) });
    const response = await get(content);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'inventory/Not Found' });
    expect(response.headers.etag).toBeUndefined();
  });

  it('gives up with a 404 when the bytes keep going away', async () => {
    let reloads = 0;
    const vanishing = (): DownloadContent =>
      contentOf(bytes, {
        open: () => Promise.reject(new DownloadGoneError('The content')),
        reload: () => {
          reloads++;
          return Promise.resolve(vanishing());
        },
      });
    const response = await request(serve(vanishing)).get('/inventory/binaries/1');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'inventory/Not Found' });
    expect(reloads).toBe(2);
  });

  it('sends content already in memory in one write, ranges included, and never opens it', async () => {
    const content = contentOf(bytes, { bytes });
    const whole = await get(content);
    expect(whole.status).toBe(200);
    expect(whole.text).toBe(bytes.toString());
    const range = await get(content, { Range: 'bytes=2-4' });
    expect(range.status).toBe(206);
    expect(range.text).toBe('234');
    // A coding the test client does not try to decode; not on a 304.
    const encoded = contentOf(bytes, { bytes, contentEncoding: 'x-test' });
    const head = await request(serve(() => encoded)).head('/inventory/binaries/1');
    expect(head.headers['content-encoding']).toBe('x-test');
    expect(head.headers['content-length']).toBe(String(bytes.length));
    const notModified = await get(encoded, { 'If-None-Match': '"v1"' });
    expect(notModified.status).toBe(304);
    expect(notModified.headers['content-encoding']).toBeUndefined();
    expect([...content.opened, ...encoded.opened]).toEqual([]);
  });

  it('sends larger content in memory in slices, whole and as a range', async () => {
    const large = Buffer.alloc(200 * 1024 + 7, 'abcdefgh');
    const content = contentOf(large, { bytes: large });
    const whole = await get(content);
    expect(whole.status).toBe(200);
    expect(whole.text).toBe(large.toString());
    const range = await get(content, { Range: 'bytes=100000-170000' });
    expect(range.status).toBe(206);
    expect(range.text).toBe(large.subarray(100000, 170001).toString());
    expect(content.opened).toEqual([]);
  });

  describe('a stream that lends its chunks', () => {
    /** Lends `count` chunks of `size` bytes; records which chunks came back and whether it was destroyed. */
    class Lender extends Readable {
      readonly returned: Uint8Array[] = [];
      readonly sent: Buffer[] = [];
      private next = 0;
      constructor(
        readonly count: number,
        readonly size: number,
      ) {
        super();
      }
      override _read(): void {
        if (this.next === this.count) return void this.push(null);
        const chunk = Buffer.alloc(this.size, this.next++ % 256);
        this.sent.push(chunk);
        // Asynchronously, as a file read would.
        setImmediate(() => this.push(chunk));
      }
      returnChunk(chunk: Uint8Array): void {
        this.returned.push(chunk);
      }
    }

    function lending(lender: Lender): DownloadContent {
      return contentOf(Buffer.alloc(lender.count * lender.size), {
        open: () => Promise.resolve(lender),
      });
    }

    it('sends the bytes unchanged and hands every chunk back after the socket took it', async () => {
      const lender = new Lender(40, 64 * 1024);
      const response = await get(lending(lender))
        .buffer(true)
        .parse((res, done) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => done(null, Buffer.concat(parts)));
        });
      expect(response.status).toBe(200);
      expect((response.body as Buffer).equals(Buffer.concat(lender.sent))).toBe(true);
      expect(lender.returned).toHaveLength(40);
      expect(new Set(lender.returned)).toEqual(new Set(lender.sent));
    });

    it('destroys the stream when the client goes away mid-download', async () => {
      const lender = new Lender(10_000, 64 * 1024);
      const app = serve(() => lending(lender));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      try {
        await new Promise<void>((resolve) => {
          const client = httpGet(`http://127.0.0.1:${port}/inventory/binaries/1`, (res: Readable) => {
            res.once('data', () => {
              client.destroy();
              resolve();
            });
          });
          client.on('error', () => undefined);
        });
        await new Promise<void>((resolve) =>
          lender.destroyed ? resolve() : lender.once('close', () => resolve()),
        );
        expect(lender.destroyed).toBe(true);
        expect(lender.sent.length).toBeLessThan(10_000);
      } finally {
        server.close();
      }
    });

    it('cuts the response when the stream fails mid-download, and hands back nothing more', async () => {
      const lender = new Lender(1_000, 64 * 1024);
      const failing = Object.assign(lender, {
        _read(this: Lender): void {
          if (this.sent.length === 3) return void this.destroy(new Error('the disk went away'));
          Lender.prototype._read.call(this);
        },
      });
      const app = serve(() => lending(failing));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      try {
        const received = await new Promise<{ bytes: number; complete: boolean }>((resolve) => {
          httpGet(
            `http://127.0.0.1:${port}/inventory/binaries/1`,
            (res: Readable & { complete?: boolean }) => {
              let bytes = 0;
              res.on('data', (part: Buffer) => (bytes += part.length));
              res.on('close', () => resolve({ bytes, complete: res.complete === true }));
              res.on('error', () => undefined);
            },
          ).on('error', () => resolve({ bytes: 0, complete: false }));
        });
        // The status was sent; the body is cut short rather than ended as if it were whole.
        expect(received.complete).toBe(false);
        expect(received.bytes).toBeLessThanOrEqual(3 * 64 * 1024);
        expect(lender.returned.length).toBeLessThanOrEqual(3);
      } finally {
        server.close();
      }
    });
  });
});
