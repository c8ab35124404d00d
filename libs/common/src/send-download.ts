import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { attachmentDisposition } from './attachment-disposition';
import { isChunkLender, type ChunkLender } from './chunk-lender';
import { DownloadGoneError, RangeNotSatisfiableError } from './download.errors';
import {
  planDownload,
  type ByteSpan,
  type DownloadConditions,
  type DownloadPlan,
  type DownloadValidators,
} from './plan-download';

/** What a download sends: a binary, an application archive, a hosted file. */
export interface DownloadContent extends DownloadValidators {
  contentType: string;
  /** Sends the content as an attachment under this name (shortened in the header if long). */
  attachmentName?: string;
  /** `Content-Encoding` of the stored bytes (a precompressed file), sent with 200 and 206. */
  contentEncoding?: string;
  /** Cache policy and security headers, sent with 200, 206 and 304 alike. */
  headers: Readonly<Record<string, string>>;
  /**
   * The bytes, or one inclusive range of them, as a stream straight from the store (no transform in
   * between). Rejects with `DownloadGoneError` when they went away since the content was described.
   */
  open(range?: ByteSpan): Promise<Readable>;
  /** Describes the content again after `open` found it gone (a replace committed in between). */
  reload?(): Promise<DownloadContent>;
  /**
   * The whole content, already in memory (a small immutable file a cache holds): sent in one write,
   * and `open` is not called. Never set it by reading a body into memory for the purpose.
   */
  bytes?: Buffer;
}

/** Descriptions tried before vanishing bytes are a 404: a replace in that window is rare, three mean lost. */
const OPEN_ATTEMPTS = 3;

const logger = new Logger('SendDownload');

/** Content in memory up to this size goes out in one write; larger in slices of it. */
const ONE_WRITE_BYTES = 64 * 1024;

function* slicesOf(bytes: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += ONE_WRITE_BYTES)
    yield bytes.subarray(offset, offset + ONE_WRITE_BYTES);
}

/**
 * The one download sender: conditional requests (304), one range (206) or 416, HEAD, zero-length
 * content, then the bytes piped from the store. `nosniff` always: stored bytes are never sniffed
 * into something the browser runs.
 */
export async function sendDownload(
  request: Request,
  response: Response,
  content: DownloadContent,
): Promise<void> {
  const conditions = downloadConditionsOf(request);
  for (let attempt = 1; ; attempt++) {
    const plan = planDownload(content, conditions);
    if (plan.status === 416) throw new RangeNotSatisfiableError(content.length);
    const range = plan.status === 206 ? plan.range : undefined;
    const bodyLength = range ? range.end - range.start + 1 : content.length;
    let stream: Readable | undefined;
    const sendsBody = plan.status !== 304 && request.method !== 'HEAD' && bodyLength > 0;
    const bytes =
      content.bytes && (range ? content.bytes.subarray(range.start, range.end + 1) : content.bytes);
    if (sendsBody && bytes && bytes.length <= ONE_WRITE_BYTES) {
      writeHead(response, content, plan, bodyLength);
      response.end(bytes);
      return;
    }
    if (sendsBody && bytes) {
      // In slices, as the socket drains: one large write would hold the event loop (on loopback the
      // kernel delivers it in the writer's time) while other responses wait.
      stream = Readable.from(slicesOf(bytes));
    } else if (sendsBody) {
      try {
        stream = await content.open(range);
      } catch (error) {
        if (!(error instanceof DownloadGoneError && content.reload && attempt < OPEN_ATTEMPTS)) throw error;
        logger.debug(`${error.message}; describing the content again`);
        content = await content.reload();
        continue;
      }
    }
    writeHead(response, content, plan, bodyLength);
    if (!stream) {
      response.end();
      return;
    }
    try {
      await (isChunkLender(stream) ? sendLentChunks(stream, response) : pipeline(stream, response));
    } catch (error) {
      // The client went away or the store failed mid-stream; the status is gone, the socket is cut.
      logger.debug(`Download of ${request.originalUrl} ended early: ${String(error)}`);
    }
    return;
  }
}

/**
 * `pipeline(stream, response)` for a stream that lends its chunks: each chunk goes back to the stream
 * once the socket has taken it (the write's callback), so the next reads reuse that memory. As with
 * `pipeline`, a failing stream cuts the response and a response that closes early (the client went
 * away) destroys the stream; resolves when the response has finished.
 */
async function sendLentChunks(stream: Readable & ChunkLender, response: Response): Promise<void> {
  const done = finished(response);
  stream.once('error', (error) => response.destroy(error));
  response.once('close', () => stream.destroy());
  stream.on('data', (chunk: Buffer) => {
    const more = response.write(chunk, (error) => {
      if (!error) stream.returnChunk(chunk);
    });
    if (!more) {
      stream.pause();
      response.once('drain', () => stream.resume());
    }
  });
  stream.once('end', () => response.end());
  await done;
}

function writeHead(
  response: Response,
  content: DownloadContent,
  plan: DownloadPlan,
  bodyLength: number,
): void {
  response.status(plan.status);
  response.setHeader('ETag', content.etag);
  response.setHeader('Last-Modified', content.lastModified.toUTCString());
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(content.headers)) response.setHeader(name, value);
  if (plan.status === 304) return;
  response.setHeader('Content-Type', content.contentType);
  if (content.contentEncoding !== undefined) response.setHeader('Content-Encoding', content.contentEncoding);
  if (content.attachmentName !== undefined)
    response.setHeader('Content-Disposition', attachmentDisposition(content.attachmentName));
  if (plan.status === 206)
    response.setHeader('Content-Range', `bytes ${plan.range.start}-${plan.range.end}/${content.length}`);
  response.setHeader('Content-Length', bodyLength);
}

/** The conditional and range headers of a request (repeated headers joined, as HTTP allows). */
function downloadConditionsOf(request: Request): DownloadConditions {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    range: header('range'),
    ifRange: header('if-range'),
    ifNoneMatch: header('if-none-match'),
    ifModifiedSince: header('if-modified-since'),
  };
}
