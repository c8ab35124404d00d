import {
  answerCollection,
  Authenticated,
  BaseUrl,
  Creates,
  CurrentPrincipal,
  MediaType,
  ResponseMediaType,
  Role,
  Roles,
  type Principal,
} from '@depot/common';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { toApplicationRepresentation } from './application.representation';
import { ApplicationsService, type ApplicationListFilter } from './applications.service';
import { parseApplicationListQuery } from './parse-application-list-query';

const READERS = [Role.ApplicationManagementRead, Role.ApplicationManagementAdmin];
const ADMINS = [Role.ApplicationManagementAdmin];

/** `/application/applications` and its `applicationsBy...` lists. */
@Controller('application')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post('applications')
  @Roles(...ADMINS)
  @Creates(MediaType.application)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const application = await this.applications.create(principal, body);
    return toApplicationRepresentation(application, baseUrl);
  }

  @Get('applications')
  @Roles(...READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, {});
  }

  @Get('applicationsByName/:name')
  @Roles(...READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  listByName(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, { name });
  }

  @Get('applicationsByOwner/:tenant')
  @Roles(...READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  listByOwner(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, { owner: tenant });
  }

  @Get('applicationsByTenant/:tenant')
  @Roles(...READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  listByTenant(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, { tenant });
  }

  @Get('applications/:id')
  @Roles(...READERS)
  @ResponseMediaType(MediaType.application)
  async detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    return toApplicationRepresentation(await this.applications.findOne(principal, id), baseUrl);
  }

  /**
   * What a Web SDK shell asks at start-up to learn its own application (it reads `application.id`):
   * any user of the tenant may ask, as anyone who may load the app's files may.
   */
  @Get('applications/:contextPath/manifest')
  @Authenticated()
  async manifest(
    @CurrentPrincipal() principal: Principal,
    @Param('contextPath') contextPath: string,
    @BaseUrl() baseUrl: string,
  ): Promise<{ application: Record<string, unknown> }> {
    const application = await this.applications.findByContextPath(principal, contextPath);
    return { application: toApplicationRepresentation(application, baseUrl) };
  }

  @Put('applications/:id')
  @Roles(...ADMINS)
  @ResponseMediaType(MediaType.application)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const application = await this.applications.update(principal, id, body);
    return toApplicationRepresentation(application, baseUrl);
  }

  @Delete('applications/:id')
  @Roles(...ADMINS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.applications.remove(principal, id);
  }

  private page(
    principal: Principal,
    query: Record<string, unknown>,
    request: Request,
    fixed: Partial<ApplicationListFilter>,
  ): Promise<unknown> {
    return answerCollection(
      request,
      { resource: 'applications', property: 'applications', toJson: toApplicationRepresentation },
      (paging) =>
        this.applications.list(principal, { ...parseApplicationListQuery(query, paging), ...fixed }),
    );
  }
}
