import {
  CumulocityError,
  CurrentPrincipal,
  requestBaseUrl,
  Role,
  Roles,
  type Principal,
} from '@depot/common';
import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { TenantStorageService, type TenantStorageUsage } from './tenant-storage.service';

/**
 * `/tenant/tenants/{tenantId}/storage`: a tenant's binary storage (used, reserved by uploads in
 * flight, quota). A tenant's admins read their own; the management tenant's admin reads any and
 * sets a tenant's own quota (`{"quotaBytes": n}`, or `null` for the server default).
 */
@Controller('tenant/tenants/:tenantId/storage')
export class TenantStorageController {
  constructor(private readonly storage: TenantStorageService) {}

  @Get()
  @Roles(Role.InventoryAdmin, Role.TenantManagementAdmin)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Req() request: Request,
  ) {
    return storageJson(await this.storage.usage(principal, tenantId), requestBaseUrl(request));
  }

  @Put()
  @Roles(Role.TenantManagementAdmin)
  async put(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Body() body: unknown,
    @Req() request: Request,
  ) {
    await this.storage.setQuota(principal, tenantId, parseQuota(body));
    return storageJson(await this.storage.usage(principal, tenantId), requestBaseUrl(request));
  }
}

function storageJson(usage: TenantStorageUsage, baseUrl: string) {
  return { self: `${baseUrl}/tenant/tenants/${encodeURIComponent(usage.tenantId)}/storage`, ...usage };
}

function parseQuota(body: unknown): number | null {
  const quota =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).quotaBytes
      : undefined;
  if (quota === null) return null;
  if (typeof quota !== 'number' || !Number.isSafeInteger(quota) || quota < 0)
    throw CumulocityError.invalidData(
      'tenants',
      '"quotaBytes" must be a number of bytes (0 or more), or null for the default quota',
    );
  return quota;
}
