import { Body, Controller, Get, Param, Post, Req } from '@nestjs/common';
import {
  answerCollection,
  Authenticated,
  BaseUrl,
  Creates,
  Public,
  CurrentPrincipal,
  MediaType,
  type Principal,
  readListFilters,
  ResponseMediaType,
  Role,
  Roles,
} from '@depot/common';
import type { Request } from 'express';
import { currentTenantJson, loginOptionsJson, tenantJson } from './auth.representation';
import { parseCreateTenantDto } from './tenant.dto';
import { TenantsService } from './tenants.service';

/** Cumulocity's tenant list filters: exact `domain` and `company`, and `parent` (see TenantsService.list). */
const TENANT_FILTERS = {
  resource: 'tenants',
  implemented: ['domain', 'company', 'parent'] as const,
  refused: [],
};

/** Cumulocity's tenant API: the caller's tenant, and sub-tenants for the management tenant. */
@Controller('tenant')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get('currentTenant')
  @Authenticated()
  @ResponseMediaType(MediaType.currentTenant)
  async currentTenant(@CurrentPrincipal() principal: Principal, @BaseUrl() baseUrl: string) {
    const tenant = await this.tenants.get(principal.tenantId);
    return currentTenantJson(tenant, baseUrl, this.tenants.canManageTenants(principal));
  }

  /** Read by clients before they log in (go-c8y-cli, the Web SDK) to choose how to authenticate. */
  @Get('loginOptions')
  @Public()
  @ResponseMediaType(MediaType.loginOptionCollection)
  loginOptions(@BaseUrl() baseUrl: string) {
    return loginOptionsJson(baseUrl, this.tenants.managementTenantId);
  }

  @Get('tenants')
  @Roles(Role.TenantManagementAdmin)
  @ResponseMediaType(MediaType.tenantCollection)
  list(@CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const filters = readListFilters(request.query, TENANT_FILTERS);
    return answerCollection(
      request,
      { resource: 'tenants', property: 'tenants', toJson: tenantJson },
      (paging) => this.tenants.list(principal, paging, filters),
    );
  }

  @Post('tenants')
  @Roles(Role.TenantManagementAdmin)
  @Creates(MediaType.tenant)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @BaseUrl() baseUrl: string) {
    const tenant = await this.tenants.create(principal, parseCreateTenantDto(body));
    return tenantJson(tenant, baseUrl);
  }

  @Get('tenants/:tenantId')
  @Authenticated()
  @ResponseMediaType(MediaType.tenant)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @BaseUrl() baseUrl: string,
  ) {
    return tenantJson(await this.tenants.getVisible(principal, tenantId), baseUrl);
  }
}
