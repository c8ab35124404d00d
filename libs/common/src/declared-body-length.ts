import type { IncomingMessage } from 'node:http';

/** The body length the client declared (`Content-Length`), or undefined when chunked or not given. */
export function declaredBodyLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || request.headers['transfer-encoding'] !== undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}
