import {
  BaseUrl,
  collectParts,
  CumulocityError,
  CurrentPrincipal,
  hasAnyRole,
  isEntityId,
  MediaType,
  ResponseMediaType,
  Roles,
  sendDownload,
  type Principal,
  APPLICATION_READERS,
  APPLICATION_ADMINS,
} from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Next,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApplicationArchivesService, type ArchiveAttachment } from './application-archives.service';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from './applications.options';
import { AnswersWithArchive } from './archive-answer.interceptor';
import { readZipPart } from './read-zip-part';

/** `/application/applications/{id}/binaries`: the archives (versions) of a hosted application. */
@Controller('application/applications/:id/binaries')
export class ApplicationArchivesController {
  constructor(
    private readonly archives: ApplicationArchivesService,
    @Inject(APPLICATIONS_OPTIONS) private readonly options: ApplicationsModuleOptions,
  ) {}

  /**
   * Multipart `file` (the zip, whatever its filename or content type, held in memory up to
   * MAX_ARCHIVE_SIZE) and an optional `fileName`.
   */
  @Post()
  @Roles(...APPLICATION_ADMINS)
  @HttpCode(HttpStatus.CREATED)
  @ResponseMediaType(MediaType.managedObject)
  @AnswersWithArchive()
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<ManagedObjectEntity> {
    const { maxArchiveSize } = this.options;
    const { file, fields } = await readZipPart(
      request,
      collectParts(maxArchiveSize, () =>
        CumulocityError.tooLarge('applications', `The archive exceeds the limit of ${maxArchiveSize} bytes`),
      ),
    );
    if (!file || file.result.length === 0)
      throw CumulocityError.invalidData('applications', 'Missing the application zip in the "file" part');
    const fileName = fields.get('fileName')?.[0] || file.fileName;
    return this.archives.upload(principal, id, file.result, fileName);
  }

  @Get()
  @Roles(...APPLICATION_ADMINS)
  @ResponseMediaType(MediaType.applicationBinaries)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @BaseUrl() baseUrl: string,
  ): Promise<{ attachments: ArchiveAttachment[] }> {
    return this.archives.list(principal, id, baseUrl);
  }

  /**
   * Downloads one archive. Only numeric ids are archives: any other segment (`plugins`, `files`)
   * is handed on to the routes that own it, whatever the order routes were registered in. The
   * guard admits readers so those routes can apply their own roles; downloads need the admin role.
   */
  @Get(':binaryId')
  @Roles(...APPLICATION_READERS)
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('binaryId') binaryId: string,
    @Req() request: Request,
    @Res() response: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!isEntityId(binaryId)) return next();
    if (!hasAnyRole(principal, APPLICATION_ADMINS)) throw CumulocityError.forbidden();
    const archive = await this.archives.findArchive(principal, id, binaryId);
    await sendDownload(request, response, await this.archives.download(principal, archive));
  }

  @Delete(':binaryId')
  @Roles(...APPLICATION_ADMINS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('binaryId') binaryId: string,
  ): Promise<void> {
    await this.archives.remove(principal, id, binaryId);
  }
}
