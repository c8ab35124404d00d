import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when it looks sane, else a fresh UUID),
 * echoed in the response and in 500 bodies so a failure can be found in the logs.
 */
export function requestIdMiddleware(
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  const incoming = request.headers['x-request-id'];
  request.requestId = typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader('X-Request-Id', request.requestId);
  next();
}
