import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { CumulocityError } from '@depot/common';

export interface MultipartPart {
  /** The part's `name` parameter. */
  fieldName: string;
  /** The part's `filename` parameter, path kept as sent. */
  fileName?: string;
  content: Buffer;
}

export interface MultipartLimits {
  /** Most bytes all parts may hold together. */
  maxTotalSize: number;
  maxParts: number;
}

/**
 * Reads every part of a multipart request into memory (the zip edits need random access anyway),
 * bounded by `maxTotalSize`. Parts with or without a filename or content type are all content: busboy
 * hands a part without either to us as a text field, which it decodes as latin1 (`defCharset`), so
 * encoding it back as latin1 restores the exact bytes.
 */
export function readMultipartParts(
  request: IncomingMessage,
  limits: MultipartLimits,
): Promise<MultipartPart[]> {
  if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
    return Promise.reject(
      CumulocityError.invalidData('applications', 'Expected a multipart/form-data request body'),
    );
  }
  return new Promise<MultipartPart[]>((resolve, reject) => {
    const parts: MultipartPart[] = [];
    let total = 0;
    let settled = false;
    let parser: busboy.Busboy;

    const fail = (error: CumulocityError): void => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      // Drain what the client still sends so the error response can be written and read.
      request.resume();
      reject(error);
    };
    const tooLarge = (): CumulocityError =>
      CumulocityError.tooLarge('applications', `Request content exceeds ${limits.maxTotalSize} bytes`);
    const count = (bytes: number): boolean => {
      total += bytes;
      if (total > limits.maxTotalSize) fail(tooLarge());
      return !settled;
    };

    try {
      parser = busboy({
        headers: request.headers,
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        preservePath: true,
        limits: {
          fieldSize: limits.maxTotalSize + 1,
          fileSize: limits.maxTotalSize + 1,
          parts: limits.maxParts,
        },
      });
    } catch {
      reject(CumulocityError.badRequest('applications', 'Malformed multipart request'));
      return;
    }

    parser.on('file', (fieldName, stream, info) => {
      // Placed now so parts keep the order they were sent in.
      const parsed: MultipartPart = { fieldName, fileName: info.filename, content: Buffer.alloc(0) };
      parts.push(parsed);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (count(chunk.length)) chunks.push(chunk);
        else stream.resume();
      });
      stream.on('end', () => {
        parsed.content = Buffer.concat(chunks);
      });
    });
    parser.on('field', (fieldName, value, info) => {
      if (info.valueTruncated) return fail(tooLarge());
      // A part that declared a non-latin1 charset arrives decoded with it; characters above U+00FF show it.
      const content = Buffer.from(value, /[\u0100-\uffff]/.test(value) ? 'utf8' : 'latin1');
      if (count(content.length)) parts.push({ fieldName, content });
    });
    parser.on('partsLimit', () =>
      fail(CumulocityError.invalidData('applications', `At most ${limits.maxParts} parts are allowed`)),
    );
    parser.on('error', () => fail(CumulocityError.badRequest('applications', 'Malformed multipart request')));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(parts);
    });
    request.on('error', () => fail(CumulocityError.badRequest('applications', 'Request aborted')));
    request.pipe(parser);
  });
}
