import { CumulocityError, DepotMetrics, type Principal, type UploadOutcome } from '@depot/common';
import {
  COLUMN_FIELDS,
  ManagedObjectOwners,
  READ_ONLY_FIELDS,
  type Fragments,
  type ManagedObjectEntity,
} from '@depot/inventory';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import { Readable } from 'node:stream';
import { IncompleteUploadError } from './feed-into';
import { BinariesService, tooLarge, type BinaryMeta, type StoredContent } from './binaries.service';
import {
  DuplicateFilePartError,
  FILE_PART,
  MeteredStorageEngine,
  type MeteredFileInfo,
} from './metered-storage.engine';

/** Stands in for the filename of a `file` part sent without one (multer would drop such a part). */
const UNNAMED = '\u0000unnamed';

/** Text parts (`object`, `filesize`) are small; a `file` part sent as text is capped by this too. */
const MAX_FIELD_BYTES = 1024 * 1024;

/** Room for the text parts, part headers and boundaries around a file of the maximum size. */
const MULTIPART_OVERHEAD = 2 * MAX_FIELD_BYTES + 64 * 1024;

interface ReceivedUpload {
  fields: Record<string, unknown>;
  file?: { stored: StoredContent; originalName?: string; mimeType?: string };
}

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

  async upload(principal: Principal, request: Request, response: Response): Promise<ManagedObjectEntity> {
    try {
      const created = await this.receiveAndCommit(principal, request, response);
      this.metrics?.uploadFinished('created');
      return created;
    } catch (error) {
      this.metrics?.uploadFinished(outcomeOf(error, request));
      throw error;
    }
  }

  private async receiveAndCommit(
    principal: Principal,
    request: Request,
    response: Response,
  ): Promise<ManagedObjectEntity> {
    const received = await this.receive(principal, request, response);
    let stored = received.file?.stored;
    let meta: BinaryMeta;
    try {
      // A `file` part without filename and content type arrives as a (size-capped) text field.
      if (!stored && typeof received.fields[FILE_PART] === 'string')
        stored = await this.binaries.storeContent(
          principal,
          Readable.from([Buffer.from(received.fields[FILE_PART])]),
        );
      if (!stored) throw invalid(`The multipart body has no "${FILE_PART}" part`);
      meta = readMeta(received, stored);
      this.owners.assertTypeAllowed(meta.type);
    } catch (error) {
      if (stored) {
        this.logger.debug(`Upload rejected (${String(error)}); discarding ${stored.key}`);
        await this.binaries.discard(stored);
      }
      throw error;
    }
    // Deletes the blob itself if the insert fails.
    return this.binaries.commitNew(principal, meta, stored);
  }

  private async receive(principal: Principal, request: Request, response: Response): Promise<ReceivedUpload> {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\b/i.test(contentType)) throw invalid('Expected a multipart/form-data body');
    // A declared body that cannot fit the limit plus its text parts is refused before reading it.
    const declared = Number(request.headers['content-length']);
    if (declared > this.binaries.maxBinarySize + MULTIPART_OVERHEAD)
      throw tooLarge(this.binaries.maxBinarySize);
    return new Promise<ReceivedUpload>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- CumulocityError or the original error
        reject(toUploadError(error));
      };
      const engine = new MeteredStorageEngine(
        this.binaries,
        principal,
        this.binaries.maxBinarySize,
        (error) => {
          // Answer now (413 etc.); multer finishes its clean-up on its own.
          if (isFatalStorageError(error)) fail(error);
        },
      );
      const middleware = multer({
        storage: engine,
        // multer 2.5 feeds busboy through `streamHandler` (not in @types/multer yet).
        ...({
          streamHandler: (req: Request, busboy: NodeJS.WritableStream & NodeJS.EventEmitter) => {
            keepUnnamedFileParts(busboy);
            req.pipe(busboy);
          },
        } as object),
        defParamCharset: 'utf8',
        limits: { fieldSize: MAX_FIELD_BYTES, fields: 20, parts: 30, headerPairs: 100 },
      }).any();
      middleware(request, response, (error?: unknown) => {
        // Answer only after the engine has cleaned up after itself (multer does not wait on aborts).
        if (error) return void engine.settled().then(() => fail(error));
        if (settled) return;
        settled = true;
        const files = (request.files ?? []) as Array<Express.Multer.File & MeteredFileInfo>;
        const file = files.find((candidate) => candidate.stored);
        resolve({
          fields: { ...(request.body as Record<string, unknown>) },
          file: file?.stored && {
            stored: file.stored,
            originalName: file.originalname === UNNAMED ? undefined : file.originalname,
            mimeType: file.mimetype,
          },
        });
      });
    });
  }
}

/**
 * busboy reports a part without filename but with `Content-Type: application/octet-stream` as a file
 * with `filename` undefined, and multer then silently discards it. Giving it a stand-in name keeps
 * it; the name is never stored.
 */
function keepUnnamedFileParts(busboy: NodeJS.EventEmitter): void {
  const emit = busboy.emit.bind(busboy);
  busboy.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'file') {
      const info = args[2] as { filename?: string } | undefined;
      if (info && info.filename === undefined) args[2] = { ...info, filename: UNNAMED };
    }
    return emit(event, ...args);
  };
}

function readMeta(received: ReceivedUpload, stored: StoredContent): BinaryMeta {
  const object = parseObjectPart(received.fields.object);
  const filesize = received.fields.filesize;
  if (filesize !== undefined) {
    if (typeof filesize !== 'string' || !/^\s*\d+\s*$/.test(filesize))
      throw invalid(`"filesize" must be a number of bytes, got ${JSON.stringify(filesize)}`);
    if (Number(filesize) !== stored.length)
      throw invalid(`"filesize" says ${filesize.trim()} bytes but the file part has ${stored.length}`);
  }
  for (const key of COLUMN_FIELDS) {
    if (object[key] !== undefined && object[key] !== null && typeof object[key] !== 'string')
      throw invalid(`"object.${key}" must be a string`);
  }
  const fragments: Fragments = {};
  for (const [key, value] of Object.entries(object)) {
    if (!READ_ONLY_FIELDS.has(key) && !COLUMN_FIELDS.has(key) && value !== null) fragments[key] = value;
  }
  const name = (object.name as string | null | undefined) ?? received.file?.originalName;
  const type = (object.type as string | null | undefined) ?? undefined;
  return { name: name || undefined, type, contentType: received.file?.mimeType, fragments };
}

function parseObjectPart(raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'string') throw invalid('"object" must be given once, as JSON text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('"object" is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('"object" must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Aborted when the client went away before sending the whole body, whatever error that caused. */
function outcomeOf(error: unknown, request: Request): UploadOutcome {
  if (!request.complete && request.destroyed) return 'aborted';
  if (error instanceof CumulocityError && Number(error.status) < 500) return 'rejected';
  if (error instanceof Error && error.name === 'MulterError') return 'rejected';
  return 'failed';
}

function invalid(message: string): CumulocityError {
  return CumulocityError.badRequest('inventory', message);
}

/** Failures of our own part handling that decide the answer at once. */
function isFatalStorageError(error: unknown): boolean {
  return error instanceof CumulocityError || error instanceof DuplicateFilePartError;
}

/**
 * Multer's own errors (limits) go to the exception filter as they are; busboy's parse errors
 * (missing boundary, malformed or truncated body) are plain errors and become a 400 here.
 */
function toUploadError(error: unknown): unknown {
  if (error instanceof CumulocityError) return error;
  if (error instanceof DuplicateFilePartError) return invalid(error.message);
  if (error instanceof Error && error.name === 'MulterError') return error;
  if (error instanceof IncompleteUploadError) return invalid(error.message);
  if (error instanceof Error && isMultipartParseError(error))
    return invalid(`Malformed multipart body: ${error.message}`);
  return error;
}

function isMultipartParseError(error: Error): boolean {
  return /multipart|boundary|unexpected end|malformed|request (aborted|closed)|part/i.test(error.message);
}
