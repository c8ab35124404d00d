import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleRequestError } from './cumulocity-exception.filter';
import { CumulocityError } from './cumulocity-error';
import { errorResourceForPath } from './error-resource';

// Percent-decoding is a single pass, so a decoded path segment or query value holds U+0000 exactly
// when the raw URL has `%00` (`%2500` decodes to the text "%00"; overlong UTF-8 decodes to U+FFFD;
// Node's parser refuses a raw NUL in the request line).
const ENCODED_NUL = /%00/;

const logger = new Logger('RefuseNulInUrl');

/**
 * Refuses U+0000 in any path parameter or query value of any route with a 422, before it can reach
 * PostgreSQL (which cannot store or compare it in text). Registered once, ahead of every route.
 */
export function refuseNulInUrlMiddleware(
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  const url = request.url ?? '/';
  if (!ENCODED_NUL.test(url)) return next();
  handleRequestError(
    CumulocityError.invalidData(
      errorResourceForPath(url),
      'The request URL must not contain U+0000 (%00) in its path or query',
    ),
    request,
    response,
    logger,
  );
}
