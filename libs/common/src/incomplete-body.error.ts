import { HttpStatus } from '@nestjs/common';
import { CumulocityError } from './cumulocity-error';

/**
 * The request body stopped before its end: the client aborted or reset the connection, or sent a
 * broken chunked body. The client's doing, not ours: a 400 (which it will rarely read), never a 500,
 * and the exception filter logs it at debug level only.
 */
export class IncompleteBodyError extends CumulocityError {
  constructor(resource: string) {
    super(HttpStatus.BAD_REQUEST, `${resource}/Bad Request`, 'The request body ended before it was complete');
    this.name = 'IncompleteBodyError';
  }
}
