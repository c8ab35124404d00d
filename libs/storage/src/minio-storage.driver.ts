import { Logger } from '@nestjs/common';
import { Client, S3Error, type BucketItem } from 'minio';
import type { Readable } from 'node:stream';
import { assertStorageKey } from './assert-storage-key';
import { resolveByteRange } from './resolve-byte-range';
import type { ByteRange, StorageDriver, StoredObjectInfo } from './storage-driver';
import { InvalidStorageKeyError, StorageFullError, StorageNotFoundError } from './storage.errors';

export interface MinioStorageOptions {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/**
 * Bytes per multipart part. minio-js holds a part in memory before sending it (and picks 528 MiB parts
 * for streams of unknown size), so parts are cut here: at most two are in memory per upload.
 */
export const MINIO_PART_SIZE = 16 * 1024 * 1024;

const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
/** MinIO's answer (HTTP 507) once its drives are below their free-space threshold. */
const FULL_CODES = new Set(['XMinioStorageFull']);
/**
 * S3 cannot tell free space, so after a storage-full answer `ping` fails for this long, or until a
 * write succeeds (an unready instance gets no uploads that could prove the store has room again).
 */
const FULL_REPORT_MS = 60_000;

/**
 * `list` names a multipart upload that was never completed nor aborted (a process killed mid-upload)
 * `.uploads/<uploadId>/<key>`; `delete` of that name aborts it. Ordinary keys may not start so.
 */
const UPLOADS = '.uploads';

function mapError(key: string, error: unknown): unknown {
  return error instanceof S3Error && NOT_FOUND_CODES.has(error.code ?? '')
    ? new StorageNotFoundError(key)
    : error;
}

/** A key that names an object (not a leftover upload). */
function assertObjectKey(key: string): string[] {
  const segments = assertStorageKey(key);
  if (segments[0] === UPLOADS) throw new InvalidStorageKeyError(key, 'reserved');
  return segments;
}

/**
 * Cuts a stream into `size`-byte parts; the last one is shorter (possibly empty). Full parts take
 * turns in two buffers, so a part stays valid until the generator has been resumed twice (long enough
 * to send it while the next one fills) and a long upload makes no garbage. Rejects when the source
 * errors or is destroyed, so a failed source never looks like a short one.
 */
async function* readParts(source: Readable, size: number): AsyncGenerator<Buffer> {
  const buffers: Buffer[] = [];
  let turn = 0;
  let chunks: Buffer[] = [];
  let buffered = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= size) {
      const part = (buffers[turn] ??= Buffer.allocUnsafe(size));
      turn ^= 1;
      let filled = 0;
      for (const held of chunks) {
        filled += held.copy(part, filled, 0, Math.min(held.length, size - filled));
        if (filled === size) break;
      }
      // Everything before the last chunk fitted into the part, so the rest is that chunk's tail.
      const last = chunks[chunks.length - 1];
      chunks = [last.subarray(last.length - (buffered - size))];
      buffered -= size;
      yield part;
    }
  }
  yield Buffer.concat(chunks, buffered);
}

/**
 * Blobs as objects in one S3/MinIO bucket, keys used as object names. Small objects are one PUT; larger
 * ones are a multipart upload in `MINIO_PART_SIZE` parts (the next part is read while one is sent),
 * completed only after the source ended cleanly and aborted on any failure, so a half-written object
 * is never visible.
 */
export class MinioStorageDriver implements StorageDriver {
  readonly name = 'minio';
  private readonly logger = new Logger(MinioStorageDriver.name);
  private readonly client: Client;
  private bucketReady: Promise<void> | undefined;
  private fullAt: Date | undefined;

  constructor(private readonly options: MinioStorageOptions) {
    this.client = new Client({
      endPoint: options.endPoint,
      port: options.port,
      useSSL: options.useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      partSize: MINIO_PART_SIZE,
    });
  }

  async write(key: string, source: Readable): Promise<{ length: number }> {
    assertObjectKey(key);
    try {
      await this.ensureBucket();
      const parts = readParts(source, MINIO_PART_SIZE);
      const first = await parts.next();
      const body = first.done ? Buffer.alloc(0) : first.value;
      let written: { length: number };
      if (body.length < MINIO_PART_SIZE) {
        await this.client.putObject(this.options.bucket, key, body, body.length);
        written = { length: body.length };
      } else written = await this.writeMultipart(key, body, parts);
      this.fullAt = undefined;
      return written;
    } catch (error) {
      source.destroy();
      if (!(error instanceof S3Error && FULL_CODES.has(error.code ?? ''))) throw error;
      this.fullAt = new Date();
      this.logger.warn(`Bucket ${this.options.bucket} is full (${error.code}) writing ${key}`);
      throw new StorageFullError(`No space left in the store for ${JSON.stringify(key)}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertObjectKey(key);
    const { bucket } = this.options;
    try {
      if (!range) return await this.client.getObject(bucket, key);
      const { length } = await this.stat(key);
      const { start, end } = resolveByteRange(key, range, length);
      return await this.client.getPartialObject(bucket, key, start, end - start + 1);
    } catch (error) {
      throw mapError(key, error);
    }
  }

  async stat(key: string): Promise<StoredObjectInfo> {
    assertObjectKey(key);
    try {
      const stat = await this.client.statObject(this.options.bucket, key);
      return { key, length: stat.size, modified: stat.lastModified };
    } catch (error) {
      throw mapError(key, error);
    }
  }

  async delete(key: string): Promise<void> {
    const segments = assertStorageKey(key);
    const { bucket } = this.options;
    const leftover = segments[0] === UPLOADS && segments.length >= 3;
    if (!leftover) assertObjectKey(key);
    try {
      if (leftover) await this.client.abortMultipartUpload(bucket, segments.slice(2).join('/'), segments[1]);
      else await this.client.removeObject(bucket, key);
    } catch (error) {
      if (!(mapError(key, error) instanceof StorageNotFoundError)) throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    if (prefix.includes('/')) assertStorageKey(prefix.slice(0, prefix.lastIndexOf('/')));
    const { bucket } = this.options;
    // The sweeper may list before anything was written: a store without its bucket yet is empty.
    await this.ensureBucket();
    const objects = this.client.listObjectsV2(bucket, prefix, true);
    for await (const item of objects as AsyncIterable<BucketItem>) {
      if (item.name) yield { key: item.name, length: item.size, modified: item.lastModified };
    }
    if (!`${UPLOADS}/`.startsWith(prefix) && !prefix.startsWith(`${UPLOADS}/`)) return;
    for (let keyMarker = '', uploadIdMarker = ''; ;) {
      const page = await this.client.listIncompleteUploadsQuery(bucket, '', keyMarker, uploadIdMarker, '');
      for (const upload of page.uploads) {
        const key = `${UPLOADS}/${upload.uploadId}/${upload.key}`;
        if (key.startsWith(prefix)) yield { key, length: 0, modified: upload.initiated, temporary: true };
      }
      // (minio-js 8 does not parse NextUploadIdMarker; stop rather than loop on the same page.)
      if (
        !page.isTruncated ||
        (page.nextKeyMarker === keyMarker && page.nextUploadIdMarker === uploadIdMarker)
      )
        return;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  async ping(): Promise<void> {
    await this.ensureBucket();
    if (!(await this.client.bucketExists(this.options.bucket)))
      throw new Error(`Bucket ${this.options.bucket} does not exist`);
    if (this.fullAt && Date.now() - this.fullAt.getTime() < FULL_REPORT_MS)
      throw new StorageFullError(`No space left: the store refused a write at ${this.fullAt.toISOString()}`);
  }

  private async writeMultipart(
    key: string,
    first: Buffer,
    parts: AsyncGenerator<Buffer>,
  ): Promise<{ length: number }> {
    const { bucket } = this.options;
    const uploadId = await this.client.initiateNewMultipartUpload(bucket, key, {});
    try {
      const etags: { part: number; etag: string }[] = [];
      let length = 0;
      let part: Buffer | undefined = first;
      for (let partNumber = 1; part; partNumber++) {
        const sent = this.client.uploadPart(
          { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} },
          part,
        );
        const [{ etag }, following] = await Promise.all([sent, parts.next()]);
        etags.push({ part: partNumber, etag });
        length += part.length;
        part = following.done || following.value.length === 0 ? undefined : following.value;
      }
      await this.client.completeMultipartUpload(bucket, key, uploadId, etags);
      return { length };
    } catch (error) {
      await this.client.abortMultipartUpload(bucket, key, uploadId).catch((abort: Error) => {
        this.logger.warn(`Could not abort multipart upload of ${key}: ${abort.message}`);
      });
      throw error;
    }
  }

  /** Creates the bucket (in the configured region) on first use; retried after a failure. */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      const { bucket, region } = this.options;
      if (await this.client.bucketExists(bucket)) return;
      try {
        await this.client.makeBucket(bucket, region);
        this.logger.log(`Created bucket ${bucket} in ${region}`);
      } catch (error) {
        // Another process may have created it in the meantime.
        if (!(error instanceof S3Error && error.code === 'BucketAlreadyOwnedByYou')) throw error;
      }
    })().catch((error: unknown) => {
      this.bucketReady = undefined;
      throw error;
    });
    return this.bucketReady;
  }
}
