import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  ALL_ROLES,
  CumulocityError,
  hasAnyRole,
  Role,
  uniqueViolationOf,
  type Principal,
  type Page,
  type Paging,
} from '@depot/common';
import { randomInt } from 'node:crypto';
import { DataSource, Not, Repository } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { PasswordHasher } from './password-hasher.service';
import type { CreateTenantDto } from './tenant.dto';
import { TenantEntity } from './tenant.entity';
import { UserEntity } from './user.entity';

export interface TenantListFilters {
  domain?: string;
  company?: string;
  parent?: string;
}

/** Tenants: the bootstrap (management) tenant, and sub-tenants it creates with their admins. */
@Injectable()
export class TenantsService {
  private readonly logger = new Logger(TenantsService.name);

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
  ) {}

  get managementTenantId(): string {
    return this.options.bootstrap.tenant;
  }

  /** Only the management tenant's tenant admins may create or see other tenants. */
  canManageTenants(principal: Principal): boolean {
    return (
      principal.tenantId === this.managementTenantId && hasAnyRole(principal, [Role.TenantManagementAdmin])
    );
  }

  async get(tenantId: string): Promise<TenantEntity> {
    // TypeORM drops `where` keys that are undefined: never let that become "any tenant".
    if (!tenantId) throw CumulocityError.notFound('tenants', 'Tenant not found');
    const tenant = await this.tenants.findOne({ where: { id: tenantId } });
    if (!tenant) throw CumulocityError.notFound('tenants', `Tenant ${tenantId} not found`);
    return tenant;
  }

  /** A tenant the caller may see: its own, or any for the management tenant's tenant admin. */
  async getVisible(principal: Principal, tenantId: string): Promise<TenantEntity> {
    if (tenantId !== principal.tenantId && !this.canManageTenants(principal))
      throw CumulocityError.notFound('tenants', `Tenant ${tenantId} not found`);
    return this.get(tenantId);
  }

  /**
   * Tenants by creation, filtered by exact `domain` and `company`, and by `parent`: the management
   * tenant is every other tenant's parent (only it creates tenants) and has none itself.
   */
  async list(
    principal: Principal,
    paging: Paging,
    filters: TenantListFilters = {},
  ): Promise<Page<TenantEntity>> {
    this.assertCanManage(principal);
    if (filters.parent !== undefined && filters.parent !== this.managementTenantId)
      return { items: [], total: 0 };
    const where = {
      domain: filters.domain,
      company: filters.company,
      id: filters.parent === undefined ? undefined : Not(this.managementTenantId),
    };
    const [items, total] = await this.tenants.findAndCount({
      where,
      order: { created: 'ASC', id: 'ASC' },
      skip: paging.offset,
      take: paging.pageSize,
    });
    return { items, total };
  }

  /** Creates a tenant and its administrator (all roles) in one transaction. */
  async create(principal: Principal, input: CreateTenantDto): Promise<TenantEntity> {
    this.assertCanManage(principal);
    const passwordHash = await this.hasher.hash(input.adminPass);
    const id = input.id ?? `t${randomInt(10_000_000, 100_000_000)}`;
    try {
      return await this.dataSource.transaction(async (manager) => {
        // insert, not save: save() would silently update an existing tenant with the same id.
        await manager.insert(TenantEntity, {
          id,
          company: input.company,
          domain: input.domain,
          adminName: input.adminName,
          adminEmail: input.adminEmail ?? null,
        });
        const tenant = await manager.findOneByOrFail(TenantEntity, { id });
        await manager.insert(UserEntity, {
          tenantId: tenant.id,
          userName: input.adminName,
          passwordHash,
          email: input.adminEmail ?? null,
          roles: tenantAdminRoles(),
          lastPasswordChange: new Date(),
        });
        this.logger.log(
          `Created tenant ${tenant.id} (${tenant.domain}) by ${principal.tenantId}/${principal.userName}`,
        );
        return tenant;
      });
    } catch (error) {
      if (uniqueViolationOf(error))
        throw CumulocityError.conflict(
          'tenants',
          `A tenant with id ${id} or domain ${input.domain} already exists`,
          'Duplicate',
        );
      throw error;
    }
  }

  /**
   * Creates the bootstrap tenant and its administrator if the tenant does not exist yet. Safe when
   * several processes start at once: the insert that loses the race does nothing.
   * Returns the generated password when one was generated (the caller prints it once).
   */
  async ensureBootstrap(generatePassword: () => string): Promise<{ created: boolean; password?: string }> {
    const { tenant: tenantId, user: userName } = this.options.bootstrap;
    const generated = this.options.bootstrap.password === undefined ? generatePassword() : undefined;
    const password = this.options.bootstrap.password ?? generated ?? '';
    const passwordHash = await this.hasher.hash(password);
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(TenantEntity)
        .values({ id: tenantId, company: tenantId, domain: tenantId, adminName: userName, adminEmail: null })
        .orIgnore()
        .returning('id')
        .execute();
      if (inserted.raw.length === 0) return { created: false };
      await manager.insert(UserEntity, {
        tenantId,
        userName,
        passwordHash,
        roles: [...ALL_ROLES],
        lastPasswordChange: new Date(),
      });
      return { created: true, password: generated };
    });
  }

  private assertCanManage(principal: Principal): void {
    if (!this.canManageTenants(principal))
      throw CumulocityError.forbidden('Only the management tenant can manage tenants');
  }
}

/** A sub-tenant's admin manages its own tenant, but cannot create tenants. */
function tenantAdminRoles(): Role[] {
  return ALL_ROLES.filter((role) => role !== Role.TenantManagementAdmin);
}
