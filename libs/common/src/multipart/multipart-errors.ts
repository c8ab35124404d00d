import { HttpStatus } from '@nestjs/common';
import { CumulocityError } from '../cumulocity-error';

/** Why a multipart body was refused by the reader itself (not by what a sink or route decided). */
export abstract class MultipartError extends CumulocityError {}

/** Not multipart, no boundary, broken framing or a body that ends before its closing boundary. */
export class MalformedMultipartError extends MultipartError {
  constructor(resource: string, detail: string) {
    super(HttpStatus.BAD_REQUEST, `${resource}/Bad Request`, `Malformed multipart body: ${detail}`);
    this.name = 'MalformedMultipartError';
  }
}

/** A text part too long, or too many parts or text parts. */
export class MultipartLimitError extends MultipartError {
  constructor(resource: string, message: string) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, `${resource}/Payload Too Large`, message);
    this.name = 'MultipartLimitError';
  }
}

/** A second part for a content field that takes one (e.g. two `file` parts). */
export class DuplicatePartError extends MultipartError {
  constructor(resource: string, fieldName: string) {
    super(HttpStatus.BAD_REQUEST, `${resource}/Bad Request`, `Only one "${fieldName}" part is allowed`);
    this.name = 'DuplicatePartError';
  }
}
