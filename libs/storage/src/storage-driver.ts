import type { Readable } from 'node:stream';

/**
 * A byte range as in HTTP `Range`: inclusive `start`-`end` (`bytes=start-end`), or the last
 * `suffixLength` bytes (`bytes=-n`). Resolved like HTTP: `end` past the object is cut to its last
 * byte, a suffix longer than the object means all of it; a `start` at or past the end, a zero
 * suffix, or any range of an empty object is `StorageRangeError` (416).
 */
export type ByteRange = { start: number; end: number } | { suffixLength: number };

export interface StoredObjectInfo {
  key: string;
  length: number;
  /** When the object became visible, or a temp file was last written (for the sweeper's grace period). */
  modified: Date;
  /** What an unfinished write left behind (temp file, open upload); `delete(key)` removes it. */
  temporary?: boolean;
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
   * nothing visible under `key`, and no temp data) if `source` errors or is destroyed. The size
   * comes from the bytes themselves (the MinIO driver reads up to one part before choosing a single
   * PUT or a multipart upload), never from what a client declared.
   */
  write(key: string, source: Readable): Promise<{ length: number }>;
  /** The whole object or one inclusive byte range. `StorageNotFoundError`, `StorageRangeError`. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** `StorageNotFoundError` when missing. */
  stat(key: string): Promise<StoredObjectInfo>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /**
   * Every object under `prefix` (a plain string prefix of keys). With a prefix that covers them (the
   * empty one does), also what interrupted writes left behind, marked `temporary`: the filesystem
   * driver's temp files (`.tmp/...`), the MinIO driver's open multipart uploads (`.uploads/...`).
   */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Cheap reachability check for `/health`. Throws when the store is unusable. */
  ping(): Promise<void>;
}

/** Injection token for the configured driver. */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');
