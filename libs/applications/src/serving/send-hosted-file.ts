import { CumulocityError } from '@depot/common';
import { downloadConditionsOf, planDownload } from '@depot/inventory-binaries';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { contentType } from 'mime-types';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { HostedFile } from './hosted-app-files.service';

const logger = new Logger('SendHostedFile');

/**
 * Writes a hosted file: the binaries' RFC 9110 rules for `If-None-Match`/`If-Modified-Since` (304)
 * and a single `Range` (206/416), a content type from the extension, and `no-cache` so a browser
 * revalidates and sees another activated archive at once.
 */
export async function sendHostedFile(request: Request, response: Response, file: HostedFile): Promise<void> {
  const plan = planDownload(
    { etag: file.etag, lastModified: file.lastModified, length: file.length },
    downloadConditionsOf(request),
  );
  if (plan.status === 416)
    throw new CumulocityError(
      416,
      'applications/Range Not Satisfiable',
      `The file has ${file.length} bytes`,
      {
        'Content-Range': `bytes */${file.length}`,
      },
    );
  response.status(plan.status);
  response.setHeader('ETag', file.etag);
  response.setHeader('Last-Modified', file.lastModified.toUTCString());
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (plan.status === 304) {
    response.end();
    return;
  }
  response.setHeader(
    'Content-Type',
    contentType(path.extname(file.absolutePath)) || 'application/octet-stream',
  );
  const range = plan.status === 206 ? plan.range : { start: 0, end: file.length - 1 };
  if (plan.status === 206)
    response.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.length}`);
  response.setHeader('Content-Length', file.length === 0 ? 0 : range.end - range.start + 1);
  if (request.method === 'HEAD' || file.length === 0) {
    response.end();
    return;
  }
  try {
    await pipeline(createReadStream(file.absolutePath, range), response);
  } catch (error) {
    // The client went away mid-file; the status is gone, the socket is cut.
    logger.debug(`Serving ${file.absolutePath} ended early: ${String(error)}`);
  }
}
