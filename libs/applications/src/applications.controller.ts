import {
  answerCollection,
  Authenticated,
  BaseUrl,
  Creates,
  CurrentPrincipal,
  MAX_PAGE_SIZE,
  MediaType,
  parseBooleanFilter,
  readListFilters,
  ResponseMediaType,
  Roles,
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

/** `applicationsByUser`'s own parameters, besides the list filters. */
const BY_USER_FILTERS = {
  resource: 'applications',
  implemented: ['noPaging', 'dropOverwrittenApps'] as const,
  refused: [],
};

/** `/application/applications` and its `applicationsBy...` lists. */
@Controller('application')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post('applications')
  @Roles(...APPLICATION_ADMINS)
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
  @Roles(...APPLICATION_READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, {});
  }

  @Get('applicationsByName/:name')
  @Roles(...APPLICATION_READERS)
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
  @Roles(...APPLICATION_READERS)
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
  @Roles(...APPLICATION_READERS)
  @ResponseMediaType(MediaType.applicationCollection)
  listByTenant(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return this.page(principal, query, request, { tenant });
  }

  /**
   * The applications the user can use (owned by or subscribed to the user's tenant). The Web SDK's
   * `isAvailable` asks with `noPaging=true` (one page of up to 2000) and `dropOverwrittenApps=true`.
   */
  @Get('applicationsByUser/:userName')
  @Authenticated()
  @ResponseMediaType(MediaType.applicationCollection)
  listByUser(
    @CurrentPrincipal() principal: Principal,
    @Param('userName') userName: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    const { noPaging, dropOverwrittenApps } = readListFilters(query, BY_USER_FILTERS);
    const dropOverwritten = parseBooleanFilter('applications', 'dropOverwrittenApps', dropOverwrittenApps);
    const unpaged =
      parseBooleanFilter('applications', 'noPaging', noPaging) === true && query.pageSize === undefined;
    // One page of the largest size, with `self`/`next` links that say so.
    const paged = unpaged ? withQuery(request, { pageSize: String(MAX_PAGE_SIZE) }) : request;
    return answerCollection(
      paged,
      { resource: 'applications', property: 'applications', toJson: toApplicationRepresentation },
      (paging) =>
        this.applications.listByUser(principal, userName, {
          ...parseApplicationListQuery(paged.query, paging),
          dropOverwritten,
        }),
    );
  }

  @Get('applications/:id')
  @Roles(...APPLICATION_READERS)
  @ResponseMediaType(MediaType.application)
  async detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    return toApplicationRepresentation(await this.applications.findVisible(principal, id), baseUrl);
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
  @Roles(...APPLICATION_ADMINS)
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
  @Roles(...APPLICATION_ADMINS)
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

/** The request as if its query also had `extra` (for paging and the collection's links). */
function withQuery(request: Request, extra: Record<string, string>): Request {
  const query = { ...request.query, ...extra };
  const url = new URL(request.originalUrl, 'http://placeholder');
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return Object.create(request, {
    query: { value: query },
    originalUrl: { value: `${url.pathname}${url.search}` },
  }) as Request;
}
