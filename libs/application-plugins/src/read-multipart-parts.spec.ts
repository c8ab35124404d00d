import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { CumulocityError } from '@depot/common';
import { readMultipartParts } from './read-multipart-parts';

const BOUNDARY = 'depotBoundary';

function part(headers: string[], content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`),
    content,
    Buffer.from('\r\n'),
  ]);
}

function requestOf(body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`): IncomingMessage {
  const stream = new PassThrough();
  stream.end(body);
  return Object.assign(stream, { headers: { 'content-type': contentType } }) as unknown as IncomingMessage;
}

function bodyOf(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

const binary = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
const limits = { maxTotalSize: 10_000, maxParts: 10 };

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof CumulocityError ? Number(error.status) : -1;
  }
}

describe('readMultipartParts', () => {
  it('keeps the exact bytes of parts with a filename, with only a content type, and with neither', async () => {
    const parts = await readMultipartParts(
      requestOf(
        bodyOf(
          part(
            [
              'Content-Disposition: form-data; name="file"; filename="p.zip"',
              'Content-Type: application/zip',
            ],
            binary,
          ),
          part(
            ['Content-Disposition: form-data; name="octet"', 'Content-Type: application/octet-stream'],
            binary,
          ),
          part(['Content-Disposition: form-data; name="bare"'], binary),
          part(['Content-Disposition: form-data; name="typed"', 'Content-Type: application/zip'], binary),
        ),
      ),
      limits,
    );
    expect(parts.map((p) => [p.fieldName, p.fileName])).toEqual([
      ['file', 'p.zip'],
      ['octet', undefined],
      ['bare', undefined],
      ['typed', undefined],
    ]);
    for (const p of parts) expect(p.content.equals(binary)).toBe(true);
  });

  it('keeps the path in a filename and decodes UTF-8 names', async () => {
    const [parsed] = await readMultipartParts(
      requestOf(
        bodyOf(
          part(['Content-Disposition: form-data; name="filepath"; filename="assets/ü.js"'], Buffer.from('x')),
        ),
      ),
      limits,
    );
    expect(parsed.fileName).toBe('assets/ü.js');
  });

  it('refuses more than the size limit with 413', async () => {
    const big = Buffer.alloc(limits.maxTotalSize + 1);
    expect(
      await statusOf(
        readMultipartParts(
          requestOf(bodyOf(part(['Content-Disposition: form-data; name="file"; filename="a"'], big))),
          limits,
        ),
      ),
    ).toBe(413);
    expect(
      await statusOf(
        readMultipartParts(
          requestOf(bodyOf(part(['Content-Disposition: form-data; name="bare"'], big))),
          limits,
        ),
      ),
    ).toBe(413);
  });

  it('refuses a body that is not multipart with 422 and a broken one with 400', async () => {
    expect(await statusOf(readMultipartParts(requestOf(Buffer.from('{}'), 'application/json'), limits))).toBe(
      422,
    );
    expect(
      await statusOf(readMultipartParts(requestOf(Buffer.from('x'), 'multipart/form-data'), limits)),
    ).toBe(400);
  });
});
