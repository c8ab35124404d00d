import type { Principal } from '@depot/common';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { BinariesService, StoredContent } from './binaries.service';

/** The multipart part that carries the content. */
export const FILE_PART = 'file';

/** What the engine adds to multer's file object. */
export interface MeteredFileInfo {
  stored?: StoredContent;
}

/**
 * Multer storage engine that streams the `file` part through the meter straight into the storage
 * driver (nothing is buffered, and the part may come before `object`). Other file parts are read
 * and dropped. `onFailure` learns about a failed part at once, so the caller can answer (e.g. 413)
 * without waiting for multer to drain the rest of the body.
 */
export class MeteredStorageEngine implements StorageEngine {
  private fileParts = 0;
  /** Stores and discards still running; see `settled`. */
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly binaries: BinariesService,
    private readonly principal: Principal,
    private readonly maxSize: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  _handleFile(
    _request: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File> & MeteredFileInfo) => void,
  ): void {
    if (file.fieldname !== FILE_PART) {
      file.stream.resume();
      file.stream.once('end', () => callback(null, {}));
      return;
    }
    if (++this.fileParts > 1) {
      file.stream.resume();
      const error = new DuplicateFilePartError();
      this.onFailure(error);
      return callback(error);
    }
    this.track(this.binaries.storeContent(this.principal, file.stream, this.maxSize)).then(
      (stored) => callback(null, { stored, size: stored.length }),
      (error: unknown) => {
        this.onFailure(error);
        callback(error);
      },
    );
  }

  /**
   * Resolves once no store or discard is running. multer reports a client abort at once, without
   * waiting for the engine, so the caller waits here before answering: otherwise a shutdown that
   * waits for handlers could exit while a failed write is still removing its temp file.
   */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.pending++;
    const done = (): void => {
      if (--this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
    operation.then(done, done);
    return operation;
  }

  _removeFile(
    _request: Request,
    file: Express.Multer.File & MeteredFileInfo,
    callback: (error: Error | null) => void,
  ): void {
    if (!file.stored) return callback(null);
    this.track(this.binaries.discard(file.stored)).then(
      () => callback(null),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}

export class DuplicateFilePartError extends Error {
  constructor() {
    super(`Only one "${FILE_PART}" part is allowed`);
    this.name = 'DuplicateFilePartError';
  }
}
