import {
  applyDecorators,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  collectParts,
  CumulocityError,
  CurrentPrincipal,
  isMultipartRequest,
  MediaType,
  readMultipart,
  ResponseMediaType,
  Role,
  Roles,
  type Principal,
  type ReceivedContent,
  APPLICATION_READERS,
} from '@depot/common';
import { AnswersWithArchive, readZipPart } from '@depot/applications';
import type { ManagedObjectEntity } from '@depot/inventory';
import {
  APPLICATION_PLUGINS_OPTIONS,
  type ApplicationPluginsModuleOptions,
} from './application-plugins.options';
import { ApplicationVersioningService } from './application-versioning.service';
import { assertApplicationFilePath, assertPluginName } from './assert-plugin-name';
import type { PluginRepresentation } from './list-plugins';

/** The files endpoint takes one part per file; more than this in one request is refused. */
const MAX_PARTS = 1000;

/**
 * Plugins and files of a hosted application (the original document's "Application Plugin Binaries").
 * Every change answers with the managed object of the new active archive.
 */
@Controller('application/applications/:id/binaries')
export class ApplicationPluginsController {
  constructor(
    private readonly versioning: ApplicationVersioningService,
    @Inject(APPLICATION_PLUGINS_OPTIONS) private readonly options: ApplicationPluginsModuleOptions,
  ) {}

  @Get('plugins')
  @Roles(...APPLICATION_READERS)
  listPlugins(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<PluginRepresentation[]> {
    return this.versioning.listPlugins(principal, id);
  }

  @Post('plugins/:pluginName')
  @ChangesArchive(HttpStatus.CREATED)
  addPlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
    @Req() request: Request,
  ): Promise<ManagedObjectEntity> {
    return this.putPlugin('addPlugin', principal, id, pluginName, request);
  }

  @Put('plugins/:pluginName')
  @ChangesArchive(HttpStatus.OK)
  replacePlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
    @Req() request: Request,
  ): Promise<ManagedObjectEntity> {
    return this.putPlugin('replacePlugin', principal, id, pluginName, request);
  }

  @Delete('plugins/:pluginName')
  @ChangesArchive(HttpStatus.OK)
  removePlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
  ): Promise<ManagedObjectEntity> {
    assertPluginName(pluginName);
    return this.versioning.applyChange(principal, id, { operation: 'removePlugin', pluginName });
  }

  @Post('files')
  @ChangesArchive(HttpStatus.CREATED)
  async writeFiles(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<ManagedObjectEntity> {
    const parts = await this.readFileParts(request);
    if (parts.length === 0) throw CumulocityError.invalidData('applications', 'No files in the request');
    const files = parts.map((part) => ({
      path: assertApplicationFilePath(targetPathOf(part)),
      content: part.result,
    }));
    return this.versioning.applyChange(principal, id, { operation: 'writeFiles', files });
  }

  /** Adding and replacing a plugin differ only in the operation: both take its zip from the `file` part. */
  private async putPlugin(
    operation: 'addPlugin' | 'replacePlugin',
    principal: Principal,
    id: string,
    pluginName: string,
    request: Request,
  ): Promise<ManagedObjectEntity> {
    assertPluginName(pluginName);
    const pluginZip = await this.readPluginZip(request);
    return this.versioning.applyChange(principal, id, { operation, pluginName, pluginZip });
  }

  /** Every part is a file, named by its field name (or by its filename under `filepath`). */
  private async readFileParts(request: Request): Promise<Array<ReceivedContent<Buffer>>> {
    if (!isMultipartRequest(request)) return [];
    const body = await readMultipart(request, {
      contentFields: 'every',
      sink: this.collectWithinLimit(),
      limits: { maxParts: MAX_PARTS },
      preservePath: true,
    });
    return body.contents;
  }

  private async readPluginZip(request: Request): Promise<Buffer> {
    const { file } = await readZipPart(request, this.collectWithinLimit());
    if (!file) throw CumulocityError.invalidData('applications', 'Missing the plugin zip in the "file" part');
    if (file.result.length === 0)
      throw CumulocityError.invalidData('applications', 'The plugin zip is empty');
    return file.result;
  }

  /** The zip edits need the bytes whole; together the parts may hold MAX_ARCHIVE_SIZE. */
  private collectWithinLimit(): ReturnType<typeof collectParts> {
    const { maxArchiveSize } = this.options;
    return collectParts(maxArchiveSize, () =>
      CumulocityError.tooLarge('applications', `Request content exceeds ${maxArchiveSize} bytes`),
    );
  }
}

/**
 * The part's field name is the path (as `@c8y/client`'s `updateFiles` sends it); a part named
 * `filepath` carries the path in its filename instead (as the original document shows).
 */
/** Every change to the archive: admins only, answered with the new active archive's managed object. */
function ChangesArchive(status: HttpStatus): MethodDecorator {
  return applyDecorators(
    HttpCode(status),
    Roles(Role.ApplicationManagementAdmin),
    ResponseMediaType(MediaType.managedObject),
    AnswersWithArchive(),
  );
}

function targetPathOf(part: ReceivedContent<Buffer>): string {
  return part.fieldName === 'filepath' && part.fileName ? part.fileName : part.fieldName;
}
