import { CumulocityError } from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { binaryEtag } from './binary-etag';
import { contentDisposition } from './content-disposition';
import type { DownloadPlan } from './plan-download';

const logger = new Logger('SendBinary');

/**
 * Writes a download: status and headers from the plan, then the bytes. Uploaded HTML or SVG must
 * not run in the API's origin, hence `nosniff` and a sandboxing CSP on every answer.
 */
export async function sendBinary(
  response: Response,
  download: { object: ManagedObjectEntity; plan: DownloadPlan; stream?: Readable },
): Promise<void> {
  const { object, plan, stream } = download;
  const length = object.length ?? 0;
  if (plan.status === 416)
    throw new CumulocityError(416, 'inventory/Range Not Satisfiable', `The binary has ${length} bytes`, {
      'Content-Range': `bytes */${length}`,
    });
  response.status(plan.status);
  response.setHeader('ETag', binaryEtag(object));
  response.setHeader('Last-Modified', object.lastUpdated.toUTCString());
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', 'sandbox');
  if (plan.status === 304) {
    response.end();
    return;
  }
  response.setHeader('Content-Type', object.contentType ?? 'application/octet-stream');
  response.setHeader('Content-Disposition', contentDisposition(object.name || object.id));
  if (plan.status === 206) {
    response.setHeader('Content-Range', `bytes ${plan.range.start}-${plan.range.end}/${length}`);
    response.setHeader('Content-Length', plan.range.end - plan.range.start + 1);
  } else {
    response.setHeader('Content-Length', length);
  }
  if (!stream) {
    response.end();
    return;
  }
  try {
    await pipeline(stream, response);
  } catch (error) {
    // The client went away or the store failed mid-stream; the status is gone, the socket is cut.
    logger.debug(`Download of ${object.id} ended early: ${String(error)}`);
  }
}
