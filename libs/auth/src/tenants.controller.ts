import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import {
  answerCollection,
  answerWithLocation,
  Authenticated,
  Public,
  CurrentPrincipal,
  MediaType,
  type Principal,
  requestBaseUrl,
  ResponseMediaType,
  Role,
  Roles,
} from '@depot/common';
import type { Request, Response } from 'express';
import { currentTenantJson, loginOptionsJson, tenantJson } from './auth.representation';
import { parseCreateTenantDto } from './tenant.dto';
import { TenantsService } from './tenants.service';

/** Cumulocity's tenant API: the caller's tenant, and sub-tenants for the management tenant. */
@Controller('tenant')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get('currentTenant')
  @Authenticated()
  @ResponseMediaType(MediaType.currentTenant)
  async currentTenant(@CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const tenant = await this.tenants.get(principal.tenantId);
    return currentTenantJson(tenant, requestBaseUrl(request), this.tenants.canManageTenants(principal));
  }

  /** Read by clients before they log in (go-c8y-cli, the Web SDK) to choose how to authenticate. */
  @Get('loginOptions')
  @Public()
  @ResponseMediaType(MediaType.loginOptionCollection)
  loginOptions(@Req() request: Request) {
    return loginOptionsJson(requestBaseUrl(request));
  }

  @Get('tenants')
  @Roles(Role.TenantManagementAdmin)
  @ResponseMediaType(MediaType.tenantCollection)
  list(@CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return answerCollection(
      request,
      { resource: 'tenants', property: 'tenants', toJson: tenantJson },
      (paging) => this.tenants.list(principal, paging),
    );
  }

  @Post('tenants')
  @Roles(Role.TenantManagementAdmin)
  @ResponseMediaType(MediaType.tenant)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const tenant = await this.tenants.create(principal, parseCreateTenantDto(body));
    return answerWithLocation(response, tenantJson(tenant, requestBaseUrl(request)));
  }

  @Get('tenants/:tenantId')
  @Authenticated()
  @ResponseMediaType(MediaType.tenant)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Req() request: Request,
  ) {
    return tenantJson(await this.tenants.getVisible(principal, tenantId), requestBaseUrl(request));
  }
}
