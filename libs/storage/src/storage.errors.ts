/** Base of every error a storage driver or the stream meter throws on purpose. */
export abstract class StorageError extends Error {
  /** Stable machine-readable code for mapping to HTTP (`not_found`, `range`, `invalid_key`, `too_large`, `full`). */
  abstract readonly code: string;
}

/** No object under `key`. */
export class StorageNotFoundError extends StorageError {
  readonly code = 'not_found';
  constructor(readonly key: string) {
    super(`No stored object under ${JSON.stringify(key)}`);
    this.name = 'StorageNotFoundError';
  }
}

/** The requested byte range does not fit the object (HTTP 416). */
export class StorageRangeError extends StorageError {
  readonly code = 'range';
  constructor(
    readonly key: string,
    readonly start: number,
    readonly end: number,
    readonly length: number,
  ) {
    super(`Range ${start}-${end} is not satisfiable for ${JSON.stringify(key)} of ${length} bytes`);
    this.name = 'StorageRangeError';
  }
}

/** A key with `..`, an absolute path, a backslash, NUL or another unsafe shape. */
export class InvalidStorageKeyError extends StorageError {
  readonly code = 'invalid_key';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/** The stream passed its byte limit; raised as soon as it happens (HTTP 413). */
export class StreamTooLargeError extends StorageError {
  readonly code = 'too_large';
  constructor(readonly limit: number) {
    super(`Stream exceeds the limit of ${limit} bytes`);
    this.name = 'StreamTooLargeError';
  }
}

/** The store has no room for a write (ENOSPC/EDQUOT, or S3's storage-full answer); HTTP 507. */
export class StorageFullError extends StorageError {
  readonly code = 'full';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageFullError';
  }
}
