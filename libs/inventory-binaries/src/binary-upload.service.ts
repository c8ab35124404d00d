import {
  CumulocityError,
  declaredBodyLength,
  DepotMetrics,
  isMultipartRequest,
  parseJsonText,
  readMultipart,
  type MultipartBody,
  type Principal,
  type ReceivedContent,
} from '@depot/common';
import {
  COLUMN_FIELDS,
  ManagedObjectOwners,
  READ_ONLY_FIELDS,
  type Fragments,
  type ManagedObjectEntity,
} from '@depot/inventory';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Request } from 'express';
import { BinariesService, tooLarge, type BinaryMeta, type StoredContent } from './binaries.service';
import { uploadOutcomeOf } from './upload-outcome';

/** Text parts (`object`, `filesize`) are small. */
const MAX_FIELD_BYTES = 1024 * 1024;

/** Room for the text parts, part headers and boundaries around a file of the maximum size. */
const MULTIPART_OVERHEAD = 2 * MAX_FIELD_BYTES + 64 * 1024;

/** The multipart part that carries the content. */
const FILE_PART = 'file';
const CONTENT_FIELDS: ReadonlySet<string> = new Set([FILE_PART]);

/**
 * `POST /inventory/binaries`: receives the multipart body (parts in any order, the `file` part
 * streamed into storage as it arrives), validates `object` and `filesize` once the body is complete,
 * then inserts the row. Whatever goes wrong, the stored blob is deleted and no row is written.
 */
@Injectable()
export class BinaryUploadService {
  private readonly logger = new Logger(BinaryUploadService.name);

  constructor(
    private readonly binaries: BinariesService,
    private readonly owners: ManagedObjectOwners,
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  async upload(principal: Principal, request: Request): Promise<ManagedObjectEntity> {
    try {
      const created = await this.receiveAndCommit(principal, request);
      this.metrics?.uploadFinished('created');
      return created;
    } catch (error) {
      this.metrics?.uploadFinished(uploadOutcomeOf(error, request));
      throw error;
    }
  }

  private async receiveAndCommit(principal: Principal, request: Request): Promise<ManagedObjectEntity> {
    if (!isMultipartRequest(request)) throw invalid('Expected a multipart/form-data body');
    // A declared body that cannot fit the limit plus its text parts is refused before reading it.
    const declared = declaredBodyLength(request);
    if (declared !== undefined && declared > this.binaries.maxBinarySize + MULTIPART_OVERHEAD)
      throw tooLarge(this.binaries.maxBinarySize);
    // Answers only after a failed store removed what it wrote (a shutdown waits for the answer).
    const body = await readMultipart(request, {
      contentFields: CONTENT_FIELDS,
      sink: (part) => this.binaries.storeContent(principal, part.stream),
      discard: (stored) => this.binaries.discard(stored),
      limits: { maxFieldBytes: MAX_FIELD_BYTES, maxFields: 20, maxParts: 30, maxHeaderPairs: 100 },
    });
    const file = body.contents[0];
    let meta: BinaryMeta;
    try {
      if (!file) throw invalid(`The multipart body has no "${FILE_PART}" part`);
      meta = readMeta(body.fields, file);
      this.owners.assertTypeAllowed(meta.type);
    } catch (error) {
      if (file) {
        this.logger.debug(`Upload rejected (${String(error)}); discarding ${file.result.key}`);
        await this.binaries.discard(file.result);
      }
      throw error;
    }
    // Deletes the blob itself if the insert fails.
    return this.binaries.commitNew(principal, meta, file.result);
  }
}

function readMeta(
  fields: MultipartBody<StoredContent>['fields'],
  file: ReceivedContent<StoredContent>,
): BinaryMeta {
  const stored = file.result;
  const object = parseObjectPart(fields.get('object'));
  const filesize = fields.get('filesize');
  if (filesize !== undefined) {
    if (filesize.length > 1) throw invalid('"filesize" must be given once');
    if (!/^\s*\d+\s*$/.test(filesize[0]))
      throw invalid(`"filesize" must be a number of bytes, got ${JSON.stringify(filesize)}`);
    if (Number(filesize[0]) !== stored.length)
      throw invalid(`"filesize" says ${filesize[0].trim()} bytes but the file part has ${stored.length}`);
  }
  for (const key of COLUMN_FIELDS) {
    if (object[key] !== undefined && object[key] !== null && typeof object[key] !== 'string')
      throw invalid(`"object.${key}" must be a string`);
  }
  const fragments: Fragments = {};
  for (const [key, value] of Object.entries(object)) {
    if (!READ_ONLY_FIELDS.has(key) && !COLUMN_FIELDS.has(key) && value !== null) fragments[key] = value;
  }
  const name = (object.name as string | null | undefined) ?? file.fileName;
  const type = (object.type as string | null | undefined) ?? undefined;
  return { name: name || undefined, type, contentType: file.contentType, fragments };
}

function parseObjectPart(values: readonly string[] | undefined): Record<string, unknown> {
  if (values === undefined) return {};
  if (values.length > 1) throw invalid('"object" must be given once, as JSON text');
  const parsed = parseJsonText(values[0], '"object"', 'inventory');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('"object" must be a JSON object');
  return parsed as Record<string, unknown>;
}

function invalid(message: string): CumulocityError {
  return CumulocityError.badRequest('inventory', message);
}
