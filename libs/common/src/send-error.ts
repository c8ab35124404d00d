import type { ServerResponse } from 'node:http';
import { CumulocityError, ERROR_INFO_URL } from './cumulocity-error';
import { MediaType } from './media-types';

/** Cumulocity's error body. */
export interface CumulocityErrorBody {
  error: string;
  message: string;
  info: string;
  /** Only on 500s: the id to look the failure up in the logs. */
  requestId?: string;
}

/** Writes `error` as Cumulocity's error body; a no-op body when headers already went out. */
export function sendCumulocityError(
  response: ServerResponse,
  error: CumulocityError,
  requestId?: string,
): void {
  const body: CumulocityErrorBody = { error: error.error, message: error.message, info: ERROR_INFO_URL };
  if (requestId && Number(error.status) >= 500) body.requestId = requestId;
  if (response.headersSent) {
    // Mid-stream failure (e.g. a download): the status is gone, so cut the connection instead.
    response.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  // Headers a handler set for a success response (e.g. Content-Disposition) must not leak here.
  for (const name of response.getHeaderNames()) {
    if (name !== 'x-request-id') response.removeHeader(name);
  }
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  response.statusCode = error.status;
  response.setHeader('Content-Type', MediaType.error);
  response.setHeader('Content-Length', Buffer.byteLength(payload));
  response.end(payload);
}
