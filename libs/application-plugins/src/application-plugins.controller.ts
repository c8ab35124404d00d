import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CumulocityError,
  CurrentPrincipal,
  MediaType,
  requestBaseUrl,
  ResponseMediaType,
  Role,
  Roles,
  type Principal,
} from '@depot/common';
import { toManagedObjectRepresentation } from '@depot/inventory';
import {
  APPLICATION_PLUGINS_OPTIONS,
  type ApplicationPluginsModuleOptions,
} from './application-plugins.options';
import { ApplicationVersioningService } from './application-versioning.service';
import type { ArchiveChange } from './archive-change';
import { assertApplicationFilePath, assertPluginName } from './assert-plugin-name';
import type { PluginRepresentation } from './list-plugins';
import { readMultipartParts, type MultipartPart } from './read-multipart-parts';

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
  @Roles(Role.ApplicationManagementRead, Role.ApplicationManagementAdmin)
  listPlugins(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<PluginRepresentation[]> {
    return this.versioning.listPlugins(principal, id);
  }

  @Post('plugins/:pluginName')
  @HttpCode(201)
  @Roles(Role.ApplicationManagementAdmin)
  @ResponseMediaType(MediaType.managedObject)
  async addPlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    assertPluginName(pluginName);
    const pluginZip = await this.readPluginZip(request);
    return this.change(principal, id, { operation: 'addPlugin', pluginName, pluginZip }, request, response);
  }

  @Put('plugins/:pluginName')
  @HttpCode(200)
  @Roles(Role.ApplicationManagementAdmin)
  @ResponseMediaType(MediaType.managedObject)
  async replacePlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    assertPluginName(pluginName);
    const pluginZip = await this.readPluginZip(request);
    return this.change(
      principal,
      id,
      { operation: 'replacePlugin', pluginName, pluginZip },
      request,
      response,
    );
  }

  @Delete('plugins/:pluginName')
  @HttpCode(200)
  @Roles(Role.ApplicationManagementAdmin)
  @ResponseMediaType(MediaType.managedObject)
  removePlugin(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('pluginName') pluginName: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    assertPluginName(pluginName);
    return this.change(principal, id, { operation: 'removePlugin', pluginName }, request, response);
  }

  @Post('files')
  @HttpCode(201)
  @Roles(Role.ApplicationManagementAdmin)
  @ResponseMediaType(MediaType.managedObject)
  async writeFiles(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    const parts = await this.readParts(request);
    if (parts.length === 0) throw CumulocityError.invalidData('applications', 'No files in the request');
    const files = parts.map((part) => ({
      path: assertApplicationFilePath(targetPathOf(part)),
      content: part.content,
    }));
    return this.change(principal, id, { operation: 'writeFiles', files }, request, response);
  }

  private async change(
    principal: Principal,
    id: string,
    change: ArchiveChange,
    request: Request,
    response: Response,
  ): Promise<Record<string, unknown>> {
    const baseUrl = requestBaseUrl(request);
    const archive = await this.versioning.applyChange(principal, id, change);
    response.setHeader('Location', `${baseUrl}/application/applications/${id}/binaries/${archive.id}`);
    return toManagedObjectRepresentation(archive, baseUrl);
  }

  private readParts(request: Request): Promise<MultipartPart[]> {
    return readMultipartParts(request, { maxTotalSize: this.options.maxArchiveSize, maxParts: MAX_PARTS });
  }

  private async readPluginZip(request: Request): Promise<Buffer> {
    const parts = await this.readParts(request);
    const file =
      parts.find((part) => part.fieldName === 'file') ?? (parts.length === 1 ? parts[0] : undefined);
    if (!file) throw CumulocityError.invalidData('applications', 'Missing the plugin zip in the "file" part');
    if (file.content.length === 0)
      throw CumulocityError.invalidData('applications', 'The plugin zip is empty');
    return file.content;
  }
}

/**
 * The part's field name is the path (as `@c8y/client`'s `updateFiles` sends it); a part named
 * `filepath` carries the path in its filename instead (as the original document shows).
 */
function targetPathOf(part: MultipartPart): string {
  return part.fieldName === 'filepath' && part.fileName ? part.fileName : part.fieldName;
}
