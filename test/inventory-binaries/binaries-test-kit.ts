// Helpers for the binaries e2e suites: raw HTTP requests and residue checks against the real database
// and DATA_DIR (multipart bodies come from ../support/multipart).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { multipart, multipartType } from '../support/multipart';
import type { TestApp } from '../support/test-app';

export function randomContent(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** The managed_objects rows of the app's database. */
export async function countRows(app: TestApp): Promise<number> {
  const dataSource = app.app.get(DataSource);
  const [{ count }] = await dataSource.query<Array<{ count: number }>>(
    'SELECT count(*)::int AS count FROM managed_objects',
  );
  return count;
}

/** Every file under DATA_DIR/blobs, temp files included (root-relative paths). */
export function blobFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'blobs');
  const found: string[] = [];
  const walk = (directory: string): void => {
    if (!existsSync(directory)) return;
    for (const entry of readdirSync(directory)) {
      const full = path.join(directory, entry);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(path.relative(root, full));
    }
  };
  walk(root);
  return found;
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain request (any body, any headers) that resolves with the full response. */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(options.path, baseUrl), {
      method: options.method,
      headers: options.headers,
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.end(options.body);
  });
}

/**
 * Starts a request whose body the test writes itself; `response` resolves as soon as the server
 * answers, even while the body is still being sent (how a 413 "without reading the rest" shows).
 */
export function openRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: http.OutgoingHttpHeaders },
): { request: http.ClientRequest; response: Promise<RawResponse> } {
  const request = http.request(new URL(options.path, baseUrl), {
    method: options.method,
    headers: options.headers,
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = (): void =>
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) });
      incoming.on('end', done);
      incoming.on('error', done);
      incoming.on('aborted', done);
    });
  });
  // Write errors after the answer (the server closed the connection) are expected.
  request.on('error', () => undefined);
  return { request, response };
}

export function json(response: RawResponse): Record<string, unknown> {
  return JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
}

/** The multipart body of an ordinary upload: `object` with a name, then `content` as the file. */
export function binaryUploadBody(content: Buffer, name = 'data.bin'): Buffer {
  return multipart([
    { name: 'object', body: JSON.stringify({ name }) },
    { name: 'file', filename: name, contentType: 'application/octet-stream', body: content },
  ]);
}

/** Starts `POST /inventory/binaries` of `body` (see `openRequest`); the caller writes and ends it. */
export function openBinaryUpload(
  baseUrl: string,
  authorization: string,
  body: Buffer,
): { request: http.ClientRequest; response: Promise<RawResponse> } {
  return openRequest(baseUrl, {
    method: 'POST',
    path: '/inventory/binaries',
    headers: {
      authorization,
      accept: 'application/json',
      'content-type': multipartType(),
      'content-length': body.length,
    },
  });
}
