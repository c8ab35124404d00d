// Raw multipart/form-data bodies with exact control over part order, filename, content type, headers
// and framing: the parts real clients send that no client library would (no filename, a file's own
// type on an unnamed part, truncated bodies).

export interface Part {
  name: string;
  /** Omitted: the part has no `filename` parameter. */
  filename?: string;
  /** Omitted: the part has no Content-Type header. */
  contentType?: string;
  /** Extra raw header lines. */
  headers?: string[];
  body: Buffer | string;
}

export const BOUNDARY = 'depot-test-boundary-7d1f';

export const multipartType = (boundary = BOUNDARY): string => `multipart/form-data; boundary=${boundary}`;

/** A complete multipart/form-data body with the parts in the given order. */
export function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts)
    chunks.push(partHead(part, boundary), Buffer.from(part.body), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** A body and the Content-Type header that goes with it. */
export function multipartBody(parts: Part[], boundary = BOUNDARY): { body: Buffer; contentType: string } {
  return { body: multipart(parts, boundary), contentType: multipartType(boundary) };
}

/** The boundary line and headers of one part, for bodies written piece by piece. */
export function partHead(part: Omit<Part, 'body'>, boundary = BOUNDARY): Buffer {
  let disposition = `form-data; name="${part.name}"`;
  if (part.filename !== undefined) disposition += `; filename="${part.filename}"`;
  const lines = [`--${boundary}`, `Content-Disposition: ${disposition}`];
  if (part.contentType) lines.push(`Content-Type: ${part.contentType}`);
  lines.push(...(part.headers ?? []));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}

/** Every byte value 0x00..0xFF, repeated to `bytes` (what a text decoder would corrupt). */
export function everyByte(bytes: number): Buffer {
  const content = Buffer.alloc(bytes);
  for (let index = 0; index < bytes; index++) content[index] = index % 256;
  return content;
}

/**
 * The part shapes a content part must survive byte for byte: no filename with a file's own type, a
 * text type, a JSON type, and the curl form (`-F 'file=<data.bin'`: neither filename nor type).
 */
export const UNNAMED_CONTENT_SHAPES: Array<[label: string, contentType: string | undefined]> = [
  ['image/png without filename', 'image/png'],
  ['text/plain without filename', 'text/plain'],
  ['application/json without filename', 'application/json'],
  ['no filename and no Content-Type (curl -F file=<data.bin)', undefined],
];
