import {
  isMultipartRequest,
  readMultipart,
  type MultipartContentPart,
  type ReceivedContent,
} from '@depot/common';
import type { Request } from 'express';

const ZIP_FIELDS: ReadonlySet<string> = new Set(['file']);

/** A zip upload: the multipart `file` part, if the request has one, and the text fields beside it. */
export interface ZipPart {
  file?: ReceivedContent<Buffer>;
  fields: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the zip in a request's multipart `file` part, whatever its filename or content type, into
 * memory through `collect` (a `collectParts` sink that bounds its size). A body that is not
 * multipart has no file.
 */
export async function readZipPart(
  request: Request,
  collect: (part: MultipartContentPart) => Promise<Buffer>,
): Promise<ZipPart> {
  if (!isMultipartRequest(request)) return { fields: new Map() };
  const body = await readMultipart(request, { contentFields: ZIP_FIELDS, sink: collect });
  return { file: body.contents[0], fields: body.fields };
}
