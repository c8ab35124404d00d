import {
  isMultipartRequest,
  readMultipart,
  type MultipartContentPart,
  type ReceivedContent,
} from '@depot/common';
import type { Request } from 'express';

/** A zip upload: the multipart zip part (`file`, or `applicationBinary` for versions), if the request has one, and the text fields beside it. */
export interface ZipPart {
  file?: ReceivedContent<Buffer>;
  fields: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the zip in a request's multipart `field` part, whatever its filename or content type, into
 * memory through `collect` (a `collectParts` sink that bounds its size). A body that is not
 * multipart has no file.
 */
export async function readZipPart(
  request: Request,
  collect: (part: MultipartContentPart) => Promise<Buffer>,
  field = 'file',
): Promise<ZipPart> {
  if (!isMultipartRequest(request)) return { fields: new Map() };
  const body = await readMultipart(request, { contentFields: new Set([field]), sink: collect });
  return { file: body.contents[0], fields: body.fields };
}
