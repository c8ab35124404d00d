import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { errorResourceForPath } from '../error-resource';
import { IncompleteBodyError } from '../incomplete-body.error';
import { DuplicatePartError, MalformedMultipartError, MultipartLimitError } from './multipart-errors';

/** What a content part says about itself. */
export interface MultipartPartInfo {
  fieldName: string;
  /** The `filename` parameter (UTF-8); only its last path segment unless `preservePath`. */
  fileName?: string;
  /** The part's media type, lower-cased, without parameters; `text/plain` when it names none (RFC 7578). */
  contentType: string;
}

/** A content part as it arrives: the sink must read `stream` to its end or reject. */
export interface MultipartContentPart extends MultipartPartInfo {
  stream: Readable;
}

export interface ReceivedContent<T> extends MultipartPartInfo {
  /** What the sink made of the part (a stored blob, a buffer...). */
  result: T;
}

export interface MultipartBody<T> {
  /** Text parts by field name, values in the order sent. */
  fields: ReadonlyMap<string, readonly string[]>;
  /** Content parts in the order sent. */
  contents: Array<ReceivedContent<T>>;
}

export interface MultipartLimits {
  /** Longest text part, in bytes (longer: 413). */
  maxFieldBytes: number;
  maxFields: number;
  /** Most parts of any kind. */
  maxParts: number;
  /** Most header lines per part (more are ignored). */
  maxHeaderPairs: number;
}

export interface ReadMultipartOptions<T> {
  /**
   * Field names whose parts are content (streamed to `sink`, each at most once), or `'every'` when
   * every named part is content (files keyed by their field name, repeatable). All other parts are
   * small text fields.
   */
  contentFields: ReadonlySet<string> | 'every';
  sink: (part: MultipartContentPart) => Promise<T>;
  /** Undoes what the sink made when the body fails after it (e.g. deletes a stored blob). */
  discard?: (result: T) => Promise<void>;
  limits?: Partial<MultipartLimits>;
  /** Keep the path in `filename` (the files route takes it as the target path). */
  preservePath?: boolean;
}

/** Buffered per content part and in the parser: fewer, larger chunks cost less CPU per byte. */
const CONTENT_HIGH_WATER_MARK = 1024 * 1024;

const DEFAULT_LIMITS: MultipartLimits = {
  maxFieldBytes: 64 * 1024,
  maxFields: 20,
  maxParts: 30,
  maxHeaderPairs: 100,
};

export function isMultipartRequest(request: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

/**
 * The one multipart reader. Whether a part is content is decided by its field name only, never by a
 * filename or content type, and content bytes are streamed to the caller's sink, never decoded.
 * Built on @fastify/busboy because its `isPartAFile` lets the field name decide; multer (on busboy)
 * treats a part without filename as text and cannot be told otherwise without patching its internals.
 *
 * Resolves once the body ended and every sink resolved. Rejects with a typed error (malformed 400,
 * limits 413, duplicate part 400, incomplete body 400) or with a sink's own error, whichever came
 * first, and only after every sink settled and `discard` ran on what they made: nothing is left
 * behind when the caller answers.
 */
export function readMultipart<T>(
  request: IncomingMessage,
  options: ReadMultipartOptions<T>,
): Promise<MultipartBody<T>> {
  const resource = errorResourceForPath(request.url ?? '/');
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { contentFields } = options;
  if (!isMultipartRequest(request))
    return Promise.reject(new MalformedMultipartError(resource, 'expected multipart/form-data'));
  // The client went away before we started reading: nothing will ever arrive.
  if (request.destroyed || request.readableAborted) return Promise.reject(new IncompleteBodyError(resource));

  return new Promise<MultipartBody<T>>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    const slots: Array<ReceivedContent<T> | undefined> = [];
    const tasks: Array<Promise<T>> = [];
    /** Content streams the parser may still write to. */
    const open = new Set<Readable>();
    const seen = new Set<string>();
    let failed = false;
    let settled = false;
    let parser: BusboyInstance;

    const fail = (error: unknown): void => {
      if (failed || settled) return;
      failed = true;
      request.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      // Sinks still reading see their part end early and reject, cleaning up after themselves.
      for (const stream of open) stream.destroy();
      // Drain what the client still sends; the answer then closes the connection after a bounded linger.
      if (!request.destroyed) request.resume();
      void Promise.allSettled(tasks).then(async (outcomes) => {
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled' && options.discard)
            await options.discard(outcome.value).catch(() => undefined);
        }
        settled = true;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a typed error or the sink's own
        reject(error);
      });
    };

    try {
      parser = Busboy({
        headers: request.headers as BusboyHeaders,
        isPartAFile: (fieldName) =>
          fieldName !== undefined && (contentFields === 'every' || contentFields.has(fieldName)),
        preservePath: options.preservePath ?? false,
        fileHwm: CONTENT_HIGH_WATER_MARK,
        highWaterMark: CONTENT_HIGH_WATER_MARK,
        limits: {
          fieldSize: limits.maxFieldBytes,
          fields: limits.maxFields,
          parts: limits.maxParts,
          headerPairs: limits.maxHeaderPairs,
        },
      });
    } catch (error) {
      reject(new MalformedMultipartError(resource, error instanceof Error ? error.message : String(error)));
      return;
    }

    parser.on('file', (rawFieldName, stream, rawFileName, _encoding, contentType) => {
      if (failed) return void stream.resume();
      const fieldName = decodeFormDataName(rawFieldName);
      if (contentFields !== 'every') {
        if (seen.has(fieldName)) {
          stream.resume();
          return fail(new DuplicatePartError(resource, fieldName));
        }
        seen.add(fieldName);
      }
      open.add(stream);
      stream.once('end', () => open.delete(stream));
      const fileName = rawFileName ? decodeFormDataName(rawFileName) : undefined;
      const info: MultipartPartInfo = { fieldName, fileName, contentType };
      const slot = slots.push(undefined) - 1;
      const task = options.sink({ ...info, stream }).then(
        (result) => {
          slots[slot] = { ...info, result };
          // A sink that did not need the rest must not stall the parser.
          stream.resume();
          return result;
        },
        (error: unknown) => {
          fail(error);
          throw error;
        },
      );
      task.catch(() => undefined);
      tasks.push(task);
    });
    parser.on('field', (rawFieldName, value, _nameTruncated, valueTruncated) => {
      if (failed) return;
      const fieldName = decodeFormDataName(rawFieldName);
      if (valueTruncated)
        return fail(
          new MultipartLimitError(resource, `The part "${fieldName}" exceeds ${limits.maxFieldBytes} bytes`),
        );
      const values = fields.get(fieldName);
      if (values) values.push(value);
      else fields.set(fieldName, [value]);
    });
    parser.on('partsLimit', () =>
      fail(new MultipartLimitError(resource, `At most ${limits.maxParts} parts are allowed`)),
    );
    parser.on('fieldsLimit', () =>
      fail(new MultipartLimitError(resource, `At most ${limits.maxFields} text parts are allowed`)),
    );
    parser.on('error', (error) =>
      fail(new MalformedMultipartError(resource, error instanceof Error ? error.message : String(error))),
    );
    parser.on('finish', () => {
      void Promise.allSettled(tasks).then(() => {
        if (failed) return;
        settled = true;
        resolve({ fields, contents: slots.filter((content) => content !== undefined) });
      });
    });
    const aborted = (): void => {
      if (!request.complete) fail(new IncompleteBodyError(resource));
    };
    request.on('error', aborted);
    request.once('close', aborted);
    request.pipe(parser);
  });
}

/**
 * Browsers escape LF, CR and `"` in field names and filenames as `%0A`, `%0D` and `%22` (WHATWG HTML,
 * multipart/form-data); exactly those are reversed. Nothing else is: `50%.pdf` stays as it is.
 */
function decodeFormDataName(value: string): string {
  return value.replace(/%0A|%0D|%22/gi, (match) => {
    switch (match.toUpperCase()) {
      case '%0A':
        return '\n';
      case '%0D':
        return '\r';
      default:
        return '"';
    }
  });
}
