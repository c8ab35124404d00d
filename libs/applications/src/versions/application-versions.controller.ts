import {
  collectParts,
  CumulocityError,
  CurrentPrincipal,
  MediaType,
  parseJsonText,
  ResponseMediaType,
  Roles,
  singleQueryValue,
  type Principal,
  APPLICATION_READERS,
  APPLICATION_ADMINS,
} from '@depot/common';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { toApplicationVersionRepresentation } from '../application.representation';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from '../applications.options';
import { readZipPart } from '../read-zip-part';
import { ApplicationVersionsService, type NewVersionRequest } from './application-versions.service';
import { parseVersionSelector } from './version-rules';

type VersionJson = ReturnType<typeof toApplicationVersionRepresentation>;

/** `/application/applications/{id}/versions`: the versions of a HOSTED application (a package). */
@Controller('application/applications/:id/versions')
export class ApplicationVersionsController {
  constructor(
    private readonly versions: ApplicationVersionsService,
    @Inject(APPLICATIONS_OPTIONS) private readonly options: ApplicationsModuleOptions,
  ) {}

  /** Every version, or with `?version=` / `?tag=` the one it names. */
  @Get()
  @Roles(...APPLICATION_READERS)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<VersionJson | { applicationVersions: VersionJson[] }> {
    const selector = readSelector(query);
    if (selector) {
      const version = await this.versions.findOne(principal, id, selector);
      response.setHeader('Content-Type', MediaType.applicationVersion);
      return toApplicationVersionRepresentation(version);
    }
    const versions = await this.versions.list(principal, id);
    response.setHeader('Content-Type', MediaType.applicationVersionCollection);
    return { applicationVersions: versions.map(toApplicationVersionRepresentation) };
  }

  /**
   * Multipart: `applicationBinary` (the zip, whatever its filename or content type, held in memory up
   * to MAX_ARCHIVE_SIZE), `applicationVersion` (JSON `{version?, tags?}`), optional `fileName`.
   */
  @Post()
  @Roles(...APPLICATION_ADMINS)
  @HttpCode(HttpStatus.CREATED)
  @ResponseMediaType(MediaType.applicationVersion)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<VersionJson> {
    const { maxArchiveSize } = this.options;
    const { file, fields } = await readZipPart(
      request,
      collectParts(maxArchiveSize, () =>
        CumulocityError.tooLarge('applications', `The archive exceeds the limit of ${maxArchiveSize} bytes`),
      ),
      'applicationBinary',
    );
    if (!file || file.result.length === 0)
      throw CumulocityError.invalidData('applications', 'Missing the zip in the "applicationBinary" part');
    const fileName = fields.get('fileName')?.[0] || file.fileName;
    const version = await this.versions.create(
      principal,
      id,
      file.result,
      parseVersionPart(fields.get('applicationVersion')?.[0]),
      fileName,
    );
    return toApplicationVersionRepresentation(version);
  }

  /** `{"tags":[...]}` replaces the version's tags. A `+` in the version is a plus. */
  @Put(':version')
  @Roles(...APPLICATION_ADMINS)
  @ResponseMediaType(MediaType.applicationVersion)
  async replaceTags(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('version') version: string,
    @Body() body: unknown,
  ): Promise<VersionJson> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('tags' in body))
      throw CumulocityError.invalidData('applications', 'The request body must be {"tags": [...]}');
    const updated = await this.versions.replaceTags(principal, id, version, body.tags);
    return toApplicationVersionRepresentation(updated);
  }

  /** `?version=` or `?tag=`; other parameters (the toolkit sends `binaryId`, `tags`) are ignored. */
  @Delete()
  @Roles(...APPLICATION_ADMINS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const selector = readSelector(query);
    if (!selector)
      throw CumulocityError.invalidData('applications', 'Name the version to delete with "version" or "tag"');
    await this.versions.remove(principal, id, selector);
  }
}

function readSelector(query: Record<string, unknown>): ReturnType<typeof parseVersionSelector> {
  return parseVersionSelector({
    version: singleQueryValue(query, 'version', 'applications'),
    tag: singleQueryValue(query, 'tag', 'applications'),
  });
}

function parseVersionPart(text: string | undefined): NewVersionRequest {
  if (text === undefined || text.trim() === '') return {};
  const value = parseJsonText(text, 'The "applicationVersion" part', 'applications');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw CumulocityError.invalidData('applications', 'The "applicationVersion" part must be a JSON object');
  return value;
}
