import {
  CumulocityError,
  CurrentPrincipal,
  hasAnyRole,
  isEntityId,
  MediaType,
  requestBaseUrl,
  ResponseMediaType,
  Role,
  Roles,
  sendDownload,
  type Principal,
} from '@depot/common';
import { toManagedObjectRepresentation } from '@depot/inventory';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Next,
  Param,
  Post,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ArchiveUploadInterceptor } from './archive-upload.interceptor';
import { ApplicationArchivesService, type ArchiveAttachment } from './application-archives.service';

const ADMINS = [Role.ApplicationManagementAdmin];
const READERS = [Role.ApplicationManagementRead, Role.ApplicationManagementAdmin];

/** `/application/applications/{id}/binaries`: the archives (versions) of a hosted application. */
@Controller('application/applications/:id/binaries')
export class ApplicationArchivesController {
  constructor(private readonly archives: ApplicationArchivesService) {}

  /** Multipart `file` (the zip, held in memory up to MAX_ARCHIVE_SIZE) and an optional `fileName`. */
  @Post()
  @Roles(...ADMINS)
  @HttpCode(HttpStatus.CREATED)
  @ResponseMediaType(MediaType.managedObject)
  @UseInterceptors(ArchiveUploadInterceptor)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() fields: Record<string, unknown> | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    if (!file || file.size === 0)
      throw CumulocityError.invalidData('applications', 'Missing the application zip in the "file" part');
    const fileName =
      typeof fields?.fileName === 'string' && fields.fileName ? fields.fileName : file.originalname;
    const archive = await this.archives.upload(principal, id, file.buffer, fileName);
    const baseUrl = requestBaseUrl(request);
    response.setHeader('Location', `${baseUrl}/application/applications/${id}/binaries/${archive.id}`);
    return toManagedObjectRepresentation(archive, baseUrl);
  }

  @Get()
  @Roles(...ADMINS)
  @ResponseMediaType(MediaType.applicationBinaries)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<{ attachments: ArchiveAttachment[] }> {
    return this.archives.list(principal, id, requestBaseUrl(request));
  }

  /**
   * Downloads one archive. Only numeric ids are archives: any other segment (`plugins`, `files`)
   * is handed on to the routes that own it, whatever the order routes were registered in. The
   * guard admits readers so those routes can apply their own roles; downloads need the admin role.
   */
  @Get(':binaryId')
  @Roles(...READERS)
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('binaryId') binaryId: string,
    @Req() request: Request,
    @Res() response: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!isEntityId(binaryId)) return next();
    if (!hasAnyRole(principal, ADMINS)) throw CumulocityError.forbidden();
    const archive = await this.archives.findArchive(principal, id, binaryId);
    await sendDownload(request, response, await this.archives.download(principal, archive));
  }

  @Delete(':binaryId')
  @Roles(...ADMINS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('binaryId') binaryId: string,
  ): Promise<void> {
    await this.archives.remove(principal, id, binaryId);
  }
}
