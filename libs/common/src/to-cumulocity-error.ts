import { HttpException, HttpStatus } from '@nestjs/common';
import { CumulocityError } from './cumulocity-error';
import { DownloadGoneError, RangeNotSatisfiableError } from './download.errors';
import { errorResourceForPath } from './error-resource';

const STATUS_NAMES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Invalid Data',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
}

/**
 * Maps anything thrown while handling a request to a `CumulocityError`, or `undefined` when the
 * error is unexpected (the caller logs it and answers a generic 500). Knows Nest's HttpException,
 * body-parser's errors (`entity.parse.failed`, `entity.too.large`, ...) and the download sender's
 * errors. The multipart reader throws CumulocityErrors itself.
 */
export function toCumulocityError(error: unknown, path: string): CumulocityError | undefined {
  if (error instanceof CumulocityError) return error;
  const resource = errorResourceForPath(path);
  if (error instanceof HttpException) return fromHttpException(error, resource);
  if (error instanceof RangeNotSatisfiableError)
    return new CumulocityError(416, `${resource}/Range Not Satisfiable`, error.message, {
      'Content-Range': `bytes */${error.length}`,
    });
  if (error instanceof DownloadGoneError) return CumulocityError.notFound(resource, error.message);
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as ErrorLike;
  if (typeof candidate.type === 'string' && candidate.type.startsWith('entity.'))
    return fromBodyParserError(candidate, resource);
  // Errors from http-errors (used by express, body-parser, raw-body) that are safe to show.
  const status = typeof candidate.status === 'number' ? candidate.status : candidate.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && candidate.expose === true)
    return byStatus(status, resource, String(candidate.message));
  return undefined;
}

export function byStatus(status: number, resource: string, message: string): CumulocityError {
  const name = STATUS_NAMES[status] ?? 'Error';
  return new CumulocityError(status, `${resource}/${name}`, message);
}

function fromHttpException(error: HttpException, resource: string): CumulocityError {
  const status = error.getStatus();
  const response = error.getResponse();
  let message = error.message;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const detail: unknown = response.message;
    if (Array.isArray(detail)) message = detail.map(String).join('; ');
    else if (typeof detail === 'string') message = detail;
  }
  if (status === Number(HttpStatus.UNAUTHORIZED)) return CumulocityError.unauthorized(message);
  return byStatus(status, resource, message);
}

function fromBodyParserError(error: ErrorLike, resource: string): CumulocityError {
  switch (error.type) {
    case 'entity.parse.failed':
      return CumulocityError.badRequest(resource, 'Malformed JSON request body');
    case 'entity.too.large':
      return CumulocityError.tooLarge(resource, 'Request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return byStatus(415, resource, String(error.message));
    default: {
      const status = typeof error.status === 'number' ? error.status : 400;
      return byStatus(status >= 400 && status < 500 ? status : 400, resource, String(error.message));
    }
  }
}
