import {
  answerCollection,
  BaseUrl,
  Creates,
  CurrentPrincipal,
  MediaType,
  ResponseMediaType,
  Role,
  Roles,
  type Principal,
} from '@depot/common';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { ApplicationEntity } from '../application.entity';
import { toApplicationReference } from './application-reference.representation';
import { ApplicationSubscriptionsService } from './application-subscriptions.service';

// Who may do what to which subscription is the service's (owner tenant or management tenant).
const ADMINS = [Role.ApplicationManagementAdmin, Role.TenantManagementAdmin];
const READERS = [Role.ApplicationManagementRead, ...ADMINS];

/** `/tenant/tenants/{tenant}/applications`: a tenant's application subscriptions. */
@Controller('tenant/tenants/:tenant/applications')
export class TenantApplicationsController {
  constructor(private readonly subscriptions: ApplicationSubscriptionsService) {}

  @Post()
  @Roles(...ADMINS)
  @Creates(MediaType.applicationReference)
  async subscribe(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const application = await this.subscriptions.subscribe(principal, tenant, body);
    return toApplicationReference(tenant, application, baseUrl);
  }

  @Get()
  @Roles(...READERS)
  @ResponseMediaType(MediaType.applicationReferenceCollection)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Req() request: Request,
  ): Promise<unknown> {
    return answerCollection(
      request,
      {
        resource: 'applications',
        property: 'references',
        toJson: (application: ApplicationEntity, baseUrl: string) =>
          toApplicationReference(tenant, application, baseUrl),
      },
      (paging) => this.subscriptions.list(principal, tenant, paging),
    );
  }

  @Delete(':id')
  @Roles(...ADMINS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async unsubscribe(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('id') id: string,
  ): Promise<void> {
    await this.subscriptions.unsubscribe(principal, tenant, id);
  }
}
