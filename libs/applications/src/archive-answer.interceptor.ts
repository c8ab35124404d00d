import { answerWithLocation, requestBaseUrl } from '@depot/common';
import { toManagedObjectRepresentation, type ManagedObjectEntity } from '@depot/inventory';
import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

/**
 * Every route that makes a new archive of application `:id` (an upload, a plugin or file change)
 * answers with its managed object, `Location` its download URL.
 */
@Injectable()
export class ArchiveAnswerInterceptor implements NestInterceptor<
  ManagedObjectEntity,
  Record<string, unknown>
> {
  intercept(
    context: ExecutionContext,
    next: CallHandler<ManagedObjectEntity>,
  ): Observable<Record<string, unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request<{ id: string }>>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((archive) => {
        const baseUrl = requestBaseUrl(request);
        return answerWithLocation(
          response,
          toManagedObjectRepresentation(archive, baseUrl),
          `${baseUrl}/application/applications/${request.params.id}/binaries/${archive.id}`,
        );
      }),
    );
  }
}

export const AnswersWithArchive = (): MethodDecorator & ClassDecorator =>
  UseInterceptors(ArchiveAnswerInterceptor);
