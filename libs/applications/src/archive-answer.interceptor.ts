import { LocationInterceptor, requestBaseUrl, type LocatedAnswer } from '@depot/common';
import { toManagedObjectRepresentation, type ManagedObjectEntity } from '@depot/inventory';
import { Injectable, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Every route that makes a new archive of application `:id` (an upload, a plugin or file change)
 * answers with its managed object, `Location` its download URL.
 */
@Injectable()
export class ArchiveAnswerInterceptor extends LocationInterceptor<ManagedObjectEntity> {
  protected override answer(archive: ManagedObjectEntity, request: Request<{ id: string }>): LocatedAnswer {
    const baseUrl = requestBaseUrl(request);
    return {
      body: toManagedObjectRepresentation(archive, baseUrl),
      location: `${baseUrl}/application/applications/${request.params.id}/binaries/${archive.id}`,
    };
  }
}

export const AnswersWithArchive = (): MethodDecorator & ClassDecorator =>
  UseInterceptors(ArchiveAnswerInterceptor);
