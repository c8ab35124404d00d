import { HttpStatus } from '@nestjs/common';

export const ERROR_INFO_URL = 'https://www.cumulocity.com/guides/reference-guide/#error_reporting';

/**
 * A typed error that the global exception filter turns into Cumulocity's error body
 * `{"error":"<resource>/<Name>","message":...,"info":...}` with `status`. Modules throw these (or
 * subclasses); they never build HTTP responses for errors themselves.
 */
export class CumulocityError extends Error {
  constructor(
    readonly status: HttpStatus,
    /** `<resource>/<Name>`, e.g. `inventory/Not Found`. */
    readonly error: string,
    message: string,
    /** Extra headers the response must carry (e.g. `Retry-After`, `WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'CumulocityError';
  }

  static badRequest(resource: string, message: string): CumulocityError {
    return new CumulocityError(HttpStatus.BAD_REQUEST, `${resource}/Bad Request`, message);
  }
  static unauthorized(message = 'Invalid credentials! : Bad credentials'): CumulocityError {
    return new CumulocityError(HttpStatus.UNAUTHORIZED, 'security/Unauthorized', message, {
      'WWW-Authenticate': 'Basic realm="Cumulocity"',
    });
  }
  static forbidden(message = 'Access is denied.'): CumulocityError {
    return new CumulocityError(HttpStatus.FORBIDDEN, 'security/Forbidden', message);
  }
  static notFound(resource: string, message: string): CumulocityError {
    return new CumulocityError(HttpStatus.NOT_FOUND, `${resource}/Not Found`, message);
  }
  static conflict(resource: string, message: string, name = 'Conflict'): CumulocityError {
    return new CumulocityError(HttpStatus.CONFLICT, `${resource}/${name}`, message);
  }
  static invalidData(resource: string, message: string): CumulocityError {
    return new CumulocityError(HttpStatus.UNPROCESSABLE_ENTITY, `${resource}/Invalid Data`, message);
  }
  static tooLarge(resource: string, message: string): CumulocityError {
    return new CumulocityError(HttpStatus.PAYLOAD_TOO_LARGE, `${resource}/Payload Too Large`, message);
  }
  static preconditionFailed(resource: string, message: string): CumulocityError {
    return new CumulocityError(HttpStatus.PRECONDITION_FAILED, `${resource}/Precondition Failed`, message);
  }
}
