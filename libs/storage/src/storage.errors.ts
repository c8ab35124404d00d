/** Base of every error a storage driver or the stream meter throws on purpose (mapped by type). */
export abstract class StorageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No object under `key`. */
export class StorageNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super(`No stored object under ${JSON.stringify(key)}`);
  }
}

/** The requested byte range does not fit the object (HTTP 416). */
export class StorageRangeError extends StorageError {
  constructor(
    readonly key: string,
    readonly start: number,
    readonly end: number,
    readonly length: number,
  ) {
    super(`Range ${start}-${end} is not satisfiable for ${JSON.stringify(key)} of ${length} bytes`);
  }
}

/** A key with `..`, an absolute path, a backslash, NUL or another unsafe shape. */
export class InvalidStorageKeyError extends StorageError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid storage key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** The stream passed its byte limit; raised as soon as it happens (HTTP 413). */
export class StreamTooLargeError extends StorageError {
  constructor(readonly limit: number) {
    super(`Stream exceeds the limit of ${limit} bytes`);
  }
}

/** The store has no room for a write (ENOSPC/EDQUOT, or S3's storage-full answer); HTTP 507. */
export class StorageFullError extends StorageError {}
