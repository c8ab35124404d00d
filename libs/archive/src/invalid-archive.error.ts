import { HttpStatus } from '@nestjs/common';
import { CumulocityError } from '@depot/common';

/** Why an archive was refused; stable codes for logs and tests. */
export type InvalidArchiveReason =
  | 'not a zip'
  | 'empty'
  | 'too many entries'
  | 'unsafe name'
  | 'duplicate name'
  | 'file and directory share a name'
  | 'symlink'
  | 'special file'
  | 'encrypted'
  | 'unsupported compression'
  | 'corrupt data'
  | 'size differs from header'
  | 'crc mismatch'
  | 'overlapping entries'
  | 'local header differs'
  | 'inflated size limit'
  | 'compression ratio'
  | 'invalid manifest'
  | 'missing index.html';

/** An uploaded archive or plugin zip was refused: 422 `applications/Invalid Data`, nothing stored. */
export class InvalidArchiveError extends CumulocityError {
  constructor(
    readonly reason: InvalidArchiveReason,
    detail: string,
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'applications/Invalid Data', `Invalid archive: ${detail}`);
    this.name = 'InvalidArchiveError';
  }
}
