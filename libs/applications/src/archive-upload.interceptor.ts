import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { memoryStorage } from 'multer';
import type { Observable } from 'rxjs';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from './applications.options';

/**
 * Reads the multipart `file` part of an archive upload into memory (`request.file`), refusing more
 * than MAX_ARCHIVE_SIZE with 413 as soon as it is passed. Memory, not a temp file: validation needs
 * random access to the zip's central directory and adm-zip reads archives from a buffer anyway.
 */
@Injectable()
export class ArchiveUploadInterceptor implements NestInterceptor {
  private readonly readFile: RequestHandler;

  constructor(@Inject(APPLICATIONS_OPTIONS) options: ApplicationsModuleOptions) {
    this.readFile = multer({
      storage: memoryStorage(),
      limits: { fileSize: options.maxArchiveSize, files: 1, fields: 10, fieldSize: 64 * 1024 },
    }).single('file');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    await new Promise<void>((resolve, reject) =>
      this.readFile(http.getRequest<Request>(), http.getResponse<Response>(), (error?: unknown) => {
        if (error === undefined || error === null) resolve();
        else reject(error instanceof Error ? error : new Error('Reading the upload failed'));
      }),
    );
    return next.handle();
  }
}
