import type { Readable } from 'node:stream';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObjectInfo {
  key: string;
  length: number;
  /** When the object became visible (for the sweeper's grace period). */
  modified: Date;
}

/**
 * The one storage seam. Keys are server-generated (`<tenant>/<uuid>`-like); drivers reject keys with
 * `..`, absolute paths, backslashes or NUL with `InvalidStorageKeyError`.
 */
export interface StorageDriver {
  /** Driver name for health and logs: `filesystem` or `minio`. */
  readonly name: string;
  /**
   * Streams `source` to `key`. Resolves once the bytes are durable and visible; rejects (leaving
   * nothing visible under `key`, and no temp data) if `source` errors or is destroyed.
   * `knownLength`, when given, lets a driver pick a single upload (it is not trusted as the size).
   */
  write(key: string, source: Readable, knownLength?: number): Promise<{ length: number }>;
  /** The whole object or one inclusive byte range. `StorageNotFoundError`, `StorageRangeError`. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** `StorageNotFoundError` when missing. */
  stat(key: string): Promise<StoredObjectInfo>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /** Every object (and, for the filesystem driver, leftover temp file) under `prefix`. */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Cheap reachability check for `/health`. Throws when the store is unusable. */
  ping(): Promise<void>;
}

/** Injection token for the configured driver. */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');
