import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { everyByte, multipart, multipartType, partHead, type Part } from '../../../../test/support/multipart';
import { CumulocityError } from '../cumulocity-error';
import { IncompleteBodyError } from '../incomplete-body.error';
import { collectParts } from './collect-parts';
import { DuplicatePartError, MalformedMultipartError, MultipartLimitError } from './multipart-errors';
import { readMultipart, type MultipartBody, type ReadMultipartOptions } from './read-multipart';

// Real HTTP requests against a real server: request completion, aborts and backpressure are Node's own.
describe('readMultipart', () => {
  let server: http.Server;
  let baseUrl: string;
  let handle: (request: http.IncomingMessage) => Promise<unknown>;
  let lastOutcome: Promise<unknown>;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      lastOutcome = handle(request);
      lastOutcome.then(
        () => response.end('ok'),
        () => {
          response.shouldKeepAlive = false;
          response.statusCode = 400;
          response.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Reads `body` with `options` (a buffering sink unless given) and settles with the outcome. */
  async function read(
    body: Buffer | string,
    options: Partial<ReadMultipartOptions<Buffer>> = {},
    contentType = multipartType(),
  ): Promise<MultipartBody<Buffer>> {
    const outcome = new Promise<MultipartBody<Buffer>>((resolve, reject) => {
      handle = (request) => {
        const reading = readMultipart(request, {
          contentFields: new Set(['file']),
          sink: collectParts(10 * 1024 * 1024, () => new Error('collector limit')),
          ...options,
        });
        reading.then(resolve, reject);
        return reading;
      };
    });
    // Settles before the test looks at it.
    outcome.catch(() => undefined);
    const sent = new Promise<void>((resolve) => {
      const request = http.request(`${baseUrl}/inventory/binaries`, {
        method: 'POST',
        headers: { 'content-type': contentType },
      });
      request.on('error', () => resolve());
      request.on('response', (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.end(body);
    });
    await sent;
    return outcome;
  }

  const file = (body: Buffer | string, extra: Partial<Part> = {}): Part => ({ name: 'file', body, ...extra });

  it('streams a content part chosen by field name, byte for byte, whatever its type or filename', async () => {
    const content = everyByte(3 * 1024 * 1024 + 17);
    for (const contentType of ['image/png', 'text/plain', 'application/json', undefined]) {
      const body = await read(multipart([file(content, { contentType })]));
      expect(body.contents).toHaveLength(1);
      expect(Buffer.compare(body.contents[0].result, content)).toBe(0);
      expect(body.contents[0]).toMatchObject({
        fieldName: 'file',
        fileName: undefined,
        contentType: contentType ?? 'text/plain',
      });
    }
  });

  it('reads parts in any order and reports text fields, the filename (UTF-8) and the content type', async () => {
    const body = await read(
      multipart([
        { name: 'filesize', body: '3' },
        file('abc', { filename: 'Grüße ✓.bin', contentType: 'Image/PNG; charset=binary' }),
        { name: 'object', body: '{"name":"ä"}' },
        { name: 'object', body: 'second' },
      ]),
    );
    expect(Object.fromEntries(body.fields)).toEqual({ filesize: ['3'], object: ['{"name":"ä"}', 'second'] });
    expect(body.contents).toEqual([
      { fieldName: 'file', fileName: 'Grüße ✓.bin', contentType: 'image/png', result: Buffer.from('abc') },
    ]);
  });

  it('reverses the browsers’ %22, %0D and %0A escapes in names, and nothing else', async () => {
    const body = await read(multipart([file('x', { filename: 'say %22hi%22 50%.txt' })]));
    expect(body.contents[0].fileName).toBe('say "hi" 50%.txt');
  });

  it('keeps the path of a filename only with preservePath, and takes every part as content with "every"', async () => {
    const parts = [
      { name: 'assets/a.css', body: 'a' },
      { name: 'filepath', filename: 'docs/readme.txt', body: 'b' },
    ];
    const kept = await read(multipart(parts), { contentFields: 'every', preservePath: true });
    expect(kept.contents.map((part) => [part.fieldName, part.fileName, part.result.toString()])).toEqual([
      ['assets/a.css', undefined, 'a'],
      ['filepath', 'docs/readme.txt', 'b'],
    ]);
    const stripped = await read(multipart(parts), { contentFields: 'every' });
    expect(stripped.contents[1].fileName).toBe('readme.txt');
  });

  it('takes a part with a filename but another field name as a bounded text field', async () => {
    const body = await read(multipart([{ name: 'other', filename: 'x.bin', body: 'small' }]));
    expect(body.contents).toEqual([]);
    expect(body.fields.get('other')).toEqual(['small']);
    await expect(
      read(multipart([{ name: 'other', filename: 'x.bin', body: 'x'.repeat(100) }]), {
        limits: { maxFieldBytes: 99 },
      }),
    ).rejects.toBeInstanceOf(MultipartLimitError);
  });

  it('refuses a text field over maxFieldBytes with 413 and accepts one of exactly that size', async () => {
    await expect(
      read(multipart([{ name: 'object', body: 'x'.repeat(10) }]), { limits: { maxFieldBytes: 10 } }),
    ).resolves.toBeDefined();
    const error = await read(multipart([{ name: 'object', body: 'x'.repeat(11) }]), {
      limits: { maxFieldBytes: 10 },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MultipartLimitError);
    expect(error).toMatchObject({ status: 413, error: 'inventory/Payload Too Large' });
  });

  it('bounds the number of text fields and of parts (the limit itself is allowed)', async () => {
    const fields = (count: number): Part[] =>
      Array.from({ length: count }, (_, index) => ({ name: `f${index}`, body: 'x' }));
    await expect(read(multipart(fields(3)), { limits: { maxFields: 3 } })).resolves.toBeDefined();
    await expect(read(multipart(fields(4)), { limits: { maxFields: 3 } })).rejects.toBeInstanceOf(
      MultipartLimitError,
    );
    const files = (count: number): Part[] =>
      Array.from({ length: count }, (_, index) => ({ name: `p${index}`, body: 'x' }));
    const every = { contentFields: 'every' as const, limits: { maxParts: 1000 } };
    expect((await read(multipart(files(1000)), every)).contents).toHaveLength(1000);
    await expect(read(multipart(files(1001)), every)).rejects.toMatchObject({
      status: 413,
      message: 'At most 1000 parts are allowed',
    });
  });

  it.each([
    ['garbage instead of part headers', `--depot-test-boundary-7d1f\r\nthis is not a header block`],
    ['no closing boundary (truncated)', multipart([file('abc'.repeat(100))]).subarray(0, 200)],
  ])('refuses a malformed body with 400: %s', async (_label, body) => {
    const error = await read(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MalformedMultipartError);
    expect(error).toMatchObject({ status: 400, error: 'inventory/Bad Request' });
  });

  it.each([
    ['multipart without a boundary', 'multipart/form-data'],
    ['not multipart at all', 'application/x-www-form-urlencoded'],
  ])('refuses %s with 400', async (_label, contentType) => {
    await expect(read('a=b', {}, contentType)).rejects.toBeInstanceOf(MalformedMultipartError);
  });

  it('refuses a second part of a single content field with 400, undoing whatever a sink made', async () => {
    const made: string[] = [];
    const discarded: string[] = [];
    const buffered = collectParts(1000, () => new Error('limit'));
    const error = await read(multipart([file('one'), { name: 'object', body: '{}' }, file('two')]), {
      sink: async (part) => {
        const result = await buffered(part);
        made.push(result.toString());
        return result;
      },
      discard: (result) => {
        discarded.push(result.toString());
        return Promise.resolve();
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicatePartError);
    expect(error).toMatchObject({ status: 400, message: 'Only one "file" part is allowed' });
    expect(discarded).toEqual(made);
  });

  it('rejects with the sink’s own error, as it is (a storage failure stays what it is)', async () => {
    const storageDown = new Error('disk on fire');
    const error = await read(multipart([file('abc'), { name: 'object', body: '{}' }]), {
      sink: ({ stream }) => {
        stream.resume();
        return Promise.reject(storageDown);
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBe(storageDown);
    expect(error).not.toBeInstanceOf(CumulocityError);
  });

  it('answers a sink’s early rejection (a size limit) without waiting for the rest of the body', async () => {
    const tooLarge = new Error('too large');
    handle = (request) =>
      readMultipart(request, { contentFields: new Set(['file']), sink: collectParts(1000, () => tooLarge) });
    const request = http.request(`${baseUrl}/inventory/binaries`, {
      method: 'POST',
      headers: { 'content-type': multipartType(), 'transfer-encoding': 'chunked' },
    });
    request.on('error', () => undefined);
    const answered = new Promise<number>((resolve) =>
      request.on('response', (res) => resolve(res.statusCode!)),
    );
    request.write(partHead({ name: 'file' }));
    request.write(Buffer.alloc(5000));
    // The body never ends; the answer comes anyway.
    expect(await answered).toBe(400);
    await expect(lastOutcome).rejects.toBe(tooLarge);
    request.destroy();
  });

  it('fails a client abort with IncompleteBodyError, only after the sink settled and its result was discarded', async () => {
    const events: string[] = [];
    let started = false;
    handle = (request) => {
      started = true;
      return readMultipart<string>(request, {
        contentFields: new Set(['file', 'second']),
        sink: ({ fieldName, stream }) =>
          new Promise<string>((resolve, reject) => {
            stream.resume();
            stream.once('end', () => resolve(fieldName));
            // A storage write removing its temp file takes a while after the abort.
            stream.once('close', () => {
              if (!stream.readableEnded)
                setTimeout(() => {
                  events.push(`${fieldName} cleaned up`);
                  reject(new Error('partial'));
                }, 50);
            });
          }),
        discard: (result) => {
          events.push(`${result} discarded`);
          return Promise.resolve();
        },
      }).finally(() => events.push('answered'));
    };
    const request = http.request(`${baseUrl}/inventory/binaries`, {
      method: 'POST',
      headers: { 'content-type': multipartType(), 'content-length': '100000' },
    });
    request.on('error', () => undefined);
    request.write(Buffer.concat([partHead({ name: 'file' }), Buffer.from('whole\r\n')]));
    request.write(Buffer.concat([partHead({ name: 'second' }), Buffer.alloc(1000)]));
    while (!started) await sleep(10);
    await sleep(100);
    request.destroy();
    await expect(lastOutcome).rejects.toBeInstanceOf(IncompleteBodyError);
    expect(events).toEqual(['second cleaned up', 'file discarded', 'answered']);
  });

  it('fails at once when the request was already aborted before reading began', async () => {
    const gone = new Promise<http.IncomingMessage>((resolve) => {
      handle = (request) => {
        resolve(request);
        return new Promise(() => undefined);
      };
    });
    const request = http.request(`${baseUrl}/inventory/binaries`, {
      method: 'POST',
      headers: { 'content-type': multipartType(), 'content-length': '1000' },
    });
    request.on('error', () => undefined);
    request.write(partHead({ name: 'file' }));
    const incoming = await gone;
    request.destroy();
    await new Promise((resolve) => incoming.once('close', resolve));
    await expect(
      readMultipart(incoming, { contentFields: new Set(['file']), sink: () => Promise.resolve() }),
    ).rejects.toBeInstanceOf(IncompleteBodyError);
  });
});
