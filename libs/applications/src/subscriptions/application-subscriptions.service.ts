import {
  CumulocityError,
  hasAnyRole,
  Role,
  TenantDirectory,
  type Page,
  type Paging,
  type Principal,
} from '@depot/common';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApplicationEntity } from '../application.entity';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from '../applications.options';
import { ApplicationsService, applicationNotFound, parseApplicationId } from '../applications.service';
import { ApplicationSubscriptionEntity } from './application-subscription.entity';
import { parseApplicationReference } from './parse-application-reference';
import { subscribedBy } from './subscribed-by';

/** PostgreSQL's `foreign_key_violation`. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Tenants' subscriptions to applications (`/tenant/tenants/{tenant}/applications`), as Cumulocity
 * allows them: the owner tenant's application admins subscribe their own tenant; the management
 * tenant's tenant admins subscribe any tenant. An application is open to another tenant only when it
 * is `MARKET`, or `SHARED` by the management tenant (every other tenant's parent).
 */
@Injectable()
export class ApplicationSubscriptionsService {
  private readonly logger = new Logger(ApplicationSubscriptionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APPLICATIONS_OPTIONS) private readonly options: ApplicationsModuleOptions,
    private readonly applications: ApplicationsService,
    @Optional() private readonly directory?: TenantDirectory,
  ) {}

  /**
   * Subscribes `tenantId` to the application the body names. Subscribing again is not an error: the
   * toolkit re-subscribes on every `deploy --availability MARKET` (it never changes `availability`).
   */
  async subscribe(principal: Principal, tenantId: string, body: unknown): Promise<ApplicationEntity> {
    const applicationId = parseApplicationReference(body);
    await this.assertTenantVisible(principal, tenantId);
    const application = await this.dataSource.manager.findOne(ApplicationEntity, {
      where: { id: applicationId },
    });
    if (!application) throw applicationNotFound(applicationId);
    if (!this.mayAdminister(principal, application, tenantId)) {
      // Another tenant's application that is not on the market is none of the caller's business.
      if (application.availability !== 'MARKET') throw applicationNotFound(applicationId);
      throw CumulocityError.forbidden(
        `Only the owner tenant (${application.owner}) or the management tenant can subscribe tenants to application ${application.id}`,
      );
    }
    if (!this.isOpenTo(application, tenantId))
      throw CumulocityError.invalidData(
        'applications',
        `Application ${application.id} is ${application.availability}: only MARKET applications (or SHARED ones of the management tenant) can be subscribed by other tenants than its owner`,
      );
    try {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(ApplicationSubscriptionEntity)
        .values({ tenantId, applicationId: application.id })
        .orIgnore()
        .execute();
    } catch (error) {
      // The application was deleted since it was read.
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION)
        throw applicationNotFound(applicationId);
      throw error;
    }
    this.logger.log(
      `Tenant ${tenantId} subscribed to application ${application.id} by ${principal.tenantId}/${principal.userName}`,
    );
    await this.applications.loadVersions([application]);
    return application;
  }

  /** A page of the applications `tenantId` is subscribed to, by application id. */
  async list(principal: Principal, tenantId: string, paging: Paging): Promise<Page<ApplicationEntity>> {
    await this.assertTenantVisible(principal, tenantId);
    const query = this.dataSource.manager
      .createQueryBuilder(ApplicationEntity, 'app')
      .where(subscribedBy('app', 'subscriber'), { subscriber: tenantId })
      .orderBy('app.id', 'ASC')
      .offset(paging.offset)
      .limit(paging.pageSize);
    const [items, total] = paging.wantsTotal ? await query.getManyAndCount() : [await query.getMany()];
    await this.applications.loadVersions(items);
    return { items, total };
  }

  async unsubscribe(principal: Principal, tenantId: string, rawApplicationId: string): Promise<void> {
    const applicationId = parseApplicationId(rawApplicationId);
    await this.assertTenantVisible(principal, tenantId);
    const application = await this.dataSource.manager
      .createQueryBuilder(ApplicationEntity, 'app')
      .where('app.id = :applicationId', { applicationId })
      .andWhere(subscribedBy('app', 'subscriber'), { subscriber: tenantId })
      .getOne();
    if (!application)
      throw CumulocityError.notFound(
        'applications',
        `Tenant ${tenantId} is not subscribed to application ${rawApplicationId}`,
      );
    if (!this.mayAdminister(principal, application, tenantId))
      throw CumulocityError.forbidden(
        `Only the owner tenant (${application.owner}) or the management tenant can unsubscribe tenants from application ${application.id}`,
      );
    await this.dataSource.manager.delete(ApplicationSubscriptionEntity, {
      tenantId,
      applicationId: application.id,
    });
    this.logger.log(
      `Tenant ${tenantId} unsubscribed from application ${application.id} by ${principal.tenantId}/${principal.userName}`,
    );
  }

  /** The caller's own tenant, or any existing tenant for the management tenant's tenant admin (404 otherwise). */
  private async assertTenantVisible(principal: Principal, tenantId: string): Promise<void> {
    const notFound = CumulocityError.notFound('tenants', `Tenant ${tenantId} not found`);
    if (!tenantId) throw notFound;
    if (tenantId === principal.tenantId) return;
    if (!this.canManageTenants(principal)) throw notFound;
    // Without a directory (an embedding host that has none) another tenant cannot be checked: refuse.
    if (!this.directory || !(await this.directory.tenantExists(tenantId))) throw notFound;
  }

  private mayAdminister(principal: Principal, application: ApplicationEntity, tenantId: string): boolean {
    if (this.canManageTenants(principal)) return true;
    return (
      application.owner === principal.tenantId &&
      tenantId === principal.tenantId &&
      hasAnyRole(principal, [Role.ApplicationManagementAdmin])
    );
  }

  private isOpenTo(application: ApplicationEntity, tenantId: string): boolean {
    if (application.owner === tenantId || application.availability === 'MARKET') return true;
    return application.availability === 'SHARED' && application.owner === this.options.managementTenant;
  }

  private canManageTenants(principal: Principal): boolean {
    const management = this.options.managementTenant;
    return (
      management !== undefined &&
      principal.tenantId === management &&
      hasAnyRole(principal, [Role.TenantManagementAdmin])
    );
  }
}
