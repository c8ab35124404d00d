import { Logger } from '@nestjs/common';
import { json } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleRequestError } from './cumulocity-exception.filter';
import { isJsonMediaType } from './is-json-media-type';

/** Routes whose request body is the payload itself and must stream untouched, whatever its type. */
const STREAMED_BODY_ROUTES: ReadonlyArray<{ method: string; path: RegExp }> = [
  // PUT /inventory/binaries/{id}: the new file content (may well be application/json).
  { method: 'PUT', path: /^\/inventory\/binaries\/[^/?]+\/?(\?.*)?$/i },
];

export function isStreamedBodyRoute(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return STREAMED_BODY_ROUTES.some((route) => route.method === request.method && route.path.test(url));
}

/**
 * Parses JSON bodies (`application/json` and Cumulocity's vnd `+json` types) for every route except
 * the streamed-body ones, and answers parser failures (malformed JSON, too large) with Cumulocity
 * error bodies: express middleware errors never reach Nest's exception filters.
 */
export function createJsonBodyMiddleware(limit: number | string) {
  const logger = new Logger('JsonBodyParser');
  const parse = json({
    limit,
    type: (request) => isJsonMediaType(request.headers['content-type']),
  });
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (isStreamedBodyRoute(request)) return next();
    parse(request, response, (error?: unknown) => {
      if (error) handleRequestError(error, request, response, logger);
      else next();
    });
  };
}
