import {
  CumulocityError,
  hasAnyRole,
  isEntityId,
  Role,
  TenantDirectory,
  uniqueViolationOf,
  type Principal,
} from '@depot/common';
import { InventoryService, type ManagedObjectEntity } from '@depot/inventory';
import { HttpStatus, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApplicationChangeFeed } from './application-change-feed';
import { ApplicationEntity, ApplicationType } from './application.entity';
import { ARCHIVE_MANIFEST_FRAGMENT, archiveTypeOf } from './archive-type';
import { parseApplicationBody, type ApplicationChanges } from './parse-application-body';
import { subscribedBy } from './subscriptions/subscribed-by';
import { ApplicationVersionEntity } from './versions/application-version.entity';
import { withAdvisoryLock } from './with-advisory-lock';

export interface ApplicationListFilter {
  name?: string;
  /** Any of these types. */
  types?: string[];
  /** Owning tenant id. */
  owner?: string;
  /** Tenant that owns the application or is subscribed to it. */
  tenant?: string;
  /** Tenant subscribed to the application. */
  subscriber?: string;
  /** Tenant subscribed to the application that does not own it. */
  providedFor?: string;
  /** User of the caller's tenant who can use the application (an enabled user: all of them). */
  user?: string;
  availability?: string;
  /** Leave out subscribed applications whose contextPath one of the tenant's own applications has. */
  dropOverwritten?: boolean;
  /** Only applications with (`true`) or without (`false`) versions. */
  hasVersions?: boolean;
  offset: number;
  limit: number;
  withTotal: boolean;
}

/** How long a change waits for another change of the same application (ms). */
const LOCK_TIMEOUT_MS = 30_000;

const UNIQUE_FIELDS: Record<string, string> = {
  uq_applications_tenant_name: 'name',
  uq_applications_tenant_key: 'key',
  uq_applications_tenant_context_path: 'contextPath',
};

export function applicationNotFound(id: string): CumulocityError {
  return CumulocityError.notFound('applications', `Could not find application by ID ${id}`);
}

/** An application id, or the 404 an unknown id gets (see `isEntityId`). */
export function parseApplicationId(raw: string): string {
  if (!isEntityId(raw)) throw applicationNotFound(raw);
  return raw;
}

/**
 * Applications of the caller's tenant: create, read, list, partial update and delete (with their
 * archives). Every query is scoped by the caller's tenant; every change of one application is
 * serialised across processes by {@link ApplicationsService.withApplicationLock}.
 */
@Injectable()
export class ApplicationsService {
  private readonly logger = new Logger(ApplicationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inventory: InventoryService,
    private readonly changes: ApplicationChangeFeed,
    @Optional() private readonly directory?: TenantDirectory,
  ) {}

  async create(principal: Principal, body: unknown): Promise<ApplicationEntity> {
    const changes = parseApplicationBody(body);
    if (changes.name === undefined) throw CumulocityError.invalidData('applications', '"name" is required');
    if (changes.key === undefined) throw CumulocityError.invalidData('applications', '"key" is required');
    if (changes.type === undefined) throw CumulocityError.invalidData('applications', '"type" is required');
    const tenantId = requireTenant(principal);
    const now = new Date();
    const application = this.dataSource.manager.create(ApplicationEntity, {
      tenantId,
      owner: tenantId,
      name: changes.name,
      key: changes.key,
      type: changes.type,
      availability: changes.availability ?? 'PRIVATE',
      contextPath: changes.contextPath ?? null,
      externalUrl: changes.externalUrl ?? null,
      manifest: changes.manifest ?? packageManifestOf(changes.extra),
      // Read-only on creation: there is no archive yet.
      activeVersionId: null,
      extra: withoutNulls(changes.extra),
      creationTime: now,
      lastUpdated: now,
    });
    assertComplete(application);
    try {
      const saved = await this.dataSource.manager.save(application);
      saved.versions = [];
      this.changes.announceApplication(saved);
      return saved;
    } catch (error) {
      throw duplicateOr(error, application);
    }
  }

  /** An application of the caller's tenant (404 otherwise). */
  async findOne(
    principal: Principal,
    rawId: string,
    manager = this.dataSource.manager,
  ): Promise<ApplicationEntity> {
    const id = parseApplicationId(rawId);
    const tenantId = requireTenant(principal, rawId);
    const application = await manager.findOne(ApplicationEntity, { where: { id, tenantId } });
    if (!application) throw applicationNotFound(rawId);
    await this.loadVersions([application], manager);
    return application;
  }

  /**
   * An application the caller's tenant owns (as {@link findOne} reads it) or is subscribed to;
   * 404 otherwise. What the caller may read, not change.
   */
  async findVisible(principal: Principal, rawId: string): Promise<ApplicationEntity> {
    const id = parseApplicationId(rawId);
    const tenantId = requireTenant(principal, rawId);
    try {
      return await this.findOne(principal, id);
    } catch (error) {
      if (!(error instanceof CumulocityError) || error.status !== HttpStatus.NOT_FOUND) throw error;
    }
    const application = await this.dataSource.manager
      .createQueryBuilder(ApplicationEntity, 'app')
      .where('app.id = :id', { id })
      .andWhere(subscribedBy('app', 'tenantId'), { tenantId })
      .getOne();
    if (!application) throw applicationNotFound(rawId);
    await this.loadVersions([application]);
    return application;
  }

  /**
   * `applicationsByUser/{userName}`: a user may list their own; anyone else needs to read users and
   * applications (Cumulocity: USER_MANAGEMENT_READ and APPLICATION_MANAGEMENT_READ).
   */
  listByUser(
    principal: Principal,
    userName: string,
    filter: ApplicationListFilter,
  ): Promise<{ items: ApplicationEntity[]; total?: number }> {
    const mayReadOthers =
      hasAnyRole(principal, [Role.UserManagementRead, Role.UserManagementAdmin]) &&
      hasAnyRole(principal, [Role.ApplicationManagementRead, Role.ApplicationManagementAdmin]);
    if (userName !== principal.userName && !mayReadOthers)
      throw CumulocityError.forbidden(`You cannot list the applications of ${userName}`);
    return this.list(principal, { ...filter, user: userName });
  }

  /** Sets `versions` (oldest first) on each of `applications`, in one query. */
  async loadVersions(applications: ApplicationEntity[], manager = this.dataSource.manager): Promise<void> {
    if (applications.length === 0) return;
    const versions = await manager.find(ApplicationVersionEntity, {
      where: { applicationId: In(applications.map((application) => application.id)) },
      order: { id: 'ASC' },
    });
    for (const application of applications)
      application.versions = versions.filter((version) => version.applicationId === application.id);
  }

  /** The caller's tenant's application with this context path (404 otherwise). */
  async findByContextPath(principal: Principal, contextPath: string): Promise<ApplicationEntity> {
    const tenantId = requireTenant(principal, contextPath);
    const application = await this.dataSource.manager.findOne(ApplicationEntity, {
      where: { tenantId, contextPath },
    });
    if (!application)
      throw CumulocityError.notFound(
        'applications',
        `Could not find application by context path ${contextPath}`,
      );
    return application;
  }

  /** The HOSTED application served under `/apps/{contextPath}` in `tenantId`, if any. */
  findHostedByContextPath(tenantId: string, contextPath: string): Promise<ApplicationEntity | null> {
    if (!tenantId) return Promise.resolve(null);
    return this.dataSource.manager.findOne(ApplicationEntity, {
      where: { tenantId, contextPath, type: ApplicationType.Hosted },
    });
  }

  /**
   * The public HOSTED application (`"public": true`) served under `/apps/public/{contextPath}`. Context
   * paths are unique per tenant only: should several tenants make one public, the oldest application
   * keeps it, so a later one cannot take over a public path that is in use.
   */
  findPublicHostedByContextPath(contextPath: string): Promise<ApplicationEntity | null> {
    return this.dataSource.manager
      .createQueryBuilder(ApplicationEntity, 'app')
      .where('app.context_path = :contextPath', { contextPath })
      .andWhere('app.type = :type', { type: ApplicationType.Hosted })
      .andWhere(`app.extra @> CAST('{"public": true}' AS jsonb)`)
      .orderBy('app.id', 'ASC')
      .limit(1)
      .getOne();
  }

  /**
   * One page of the applications the caller's tenant owns or is subscribed to, by id, with the
   * total when asked.
   */
  async list(
    principal: Principal,
    filter: ApplicationListFilter,
  ): Promise<{ items: ApplicationEntity[]; total?: number }> {
    const tenantId = requireTenant(principal);
    if (filter.user !== undefined && !(await this.isActiveUser(tenantId, filter.user)))
      return { items: [], total: filter.withTotal ? 0 : undefined };
    const query = this.dataSource.manager
      .createQueryBuilder(ApplicationEntity, 'app')
      .where(`(app.tenant_id = :tenantId OR ${subscribedBy('app', 'tenantId')})`, { tenantId });
    if (filter.name !== undefined) query.andWhere('app.name = :name', { name: filter.name });
    if (filter.types !== undefined) query.andWhere('app.type IN (:...types)', { types: filter.types });
    if (filter.owner !== undefined) query.andWhere('app.owner = :owner', { owner: filter.owner });
    if (filter.tenant !== undefined)
      query.andWhere(`(app.owner = :tenant OR ${subscribedBy('app', 'tenant')})`, { tenant: filter.tenant });
    if (filter.subscriber !== undefined)
      query.andWhere(subscribedBy('app', 'subscriber'), { subscriber: filter.subscriber });
    if (filter.providedFor !== undefined)
      query.andWhere(`app.owner <> :providedFor AND ${subscribedBy('app', 'providedFor')}`, {
        providedFor: filter.providedFor,
      });
    if (filter.availability !== undefined)
      query.andWhere('app.availability = :availability', { availability: filter.availability });
    if (filter.dropOverwritten)
      query.andWhere(
        `NOT (app.tenant_id <> :tenantId AND EXISTS (SELECT 1 FROM applications own
           WHERE own.tenant_id = :tenantId AND own.context_path = app.context_path))`,
      );
    if (filter.hasVersions !== undefined)
      query.andWhere(
        `${filter.hasVersions ? '' : 'NOT '}EXISTS (SELECT 1 FROM application_versions v WHERE v.application_id = app.id)`,
      );
    query.orderBy('app.id', 'ASC').offset(filter.offset).limit(filter.limit);
    if (filter.withTotal) {
      const [items, total] = await query.getManyAndCount();
      await this.loadVersions(items);
      return { items, total };
    }
    const items = await query.getMany();
    await this.loadVersions(items);
    return { items };
  }

  /**
   * Partial update: modelled fields are set, other client fields merged (`null` removes one),
   * read-only fields ignored. `type` cannot change; `activeVersionId` must name one of the
   * application's own archives (404 otherwise), whose `cumulocity.json` (if any) becomes the manifest.
   */
  async update(principal: Principal, rawId: string, body: unknown): Promise<ApplicationEntity> {
    const changes = parseApplicationBody(body);
    return this.withApplicationLock(principal, rawId, async (current) => {
      if (changes.type !== undefined && changes.type !== current.type)
        throw CumulocityError.invalidData('applications', `"type" cannot be changed (it is ${current.type})`);
      const next = applyChanges(current, changes);
      if (changes.activeVersionId !== undefined && changes.activeVersionId !== null) {
        // The manifest follows the active archive. Tools PUT the whole object they read before
        // uploading (the toolkit does), so a manifest sent beside activeVersionId may be stale.
        const archive = await this.findArchive(current, changes.activeVersionId);
        const manifest = archive.fragments[ARCHIVE_MANIFEST_FRAGMENT];
        if (typeof manifest === 'object' && manifest !== null && !Array.isArray(manifest))
          next.manifest = manifest as Record<string, unknown>;
      }
      assertComplete(next);
      next.lastUpdated = new Date();
      try {
        await this.dataSource.manager.update(
          ApplicationEntity,
          { id: current.id, tenantId: current.tenantId },
          {
            name: next.name,
            key: next.key,
            availability: next.availability,
            contextPath: next.contextPath,
            externalUrl: next.externalUrl,
            // TypeORM's deep-partial type cannot express an open JSON object; the values are plain ones.
            manifest: next.manifest as QueryDeepPartialEntity<Record<string, unknown>> | null,
            activeVersionId: next.activeVersionId,
            extra: next.extra as QueryDeepPartialEntity<Record<string, unknown>>,
            lastUpdated: next.lastUpdated,
          },
        );
      } catch (error) {
        throw duplicateOr(error, next);
      }
      return next;
    });
  }

  /**
   * Deletes the application and its archives in one transaction, then the archives' blobs (a blob
   * left by a crash in between is the sweeper's).
   */
  async remove(principal: Principal, rawId: string): Promise<void> {
    const keys = await this.withApplicationLock(principal, rawId, (application) =>
      this.dataSource.transaction(async (manager) => {
        const archives = await this.archivesOf(manager, application);
        await manager.delete(ApplicationEntity, { id: application.id, tenantId: application.tenantId });
        return this.inventory.deleteOwnedRows(manager, application.tenantId, archives);
      }),
    );
    await this.deleteBlobs(keys);
    this.logger.log(`Deleted application ${rawId} of ${principal.tenantId} with ${keys.length} archive(s)`);
  }

  /**
   * Runs `fn` while holding the application's lock, with the application as it is once the lock is
   * held. Every change that reads and then writes an application's state (upload and activation of
   * archives, plugin and file changes, PUT, DELETE) goes through here, so two requests, even in two
   * server processes, cannot lose each other's change.
   *
   * The lock is a PostgreSQL session advisory lock named after the application id: it spans long
   * work (reading and writing blobs) without a long transaction; waiting polls and holds no pool
   * connection; at most half the pool holds locks at once, so `fn` always finds a connection for
   * its own queries; a crashed process releases the lock with its connection. After 30 s of waiting the call
   * fails with 409 `applications/Conflict`. Do not nest it for the same application: the inner call
   * would wait for the outer one until it times out.
   */
  async withApplicationLock<T>(
    principal: Principal,
    rawId: string,
    fn: (application: ApplicationEntity) => Promise<T>,
  ): Promise<T> {
    const first = await this.findOne(principal, rawId);
    const contextPaths = new Set<string>();
    try {
      return await withAdvisoryLock(
        this.dataSource,
        `depot:application:${first.id}`,
        async () => {
          const locked = await this.findOne(principal, first.id);
          if (locked.contextPath !== null) contextPaths.add(locked.contextPath);
          const result = await fn(locked);
          // A renamed context path: the old one no longer serves this application either.
          if (result instanceof ApplicationEntity && result.contextPath !== null)
            contextPaths.add(result.contextPath);
          return result;
        },
        { timeoutMs: LOCK_TIMEOUT_MS, resource: 'applications' },
      );
    } finally {
      // Whatever fn committed is served from the next request on in this process (the database
      // trigger tells the other processes).
      this.changes.announce({ id: first.id, contextPaths: [...contextPaths] });
    }
  }

  /** The application's archives (binaries of type `c8y_applications_storage_<id>`), oldest first. */
  archivesOf(manager: EntityManager, application: ApplicationEntity): Promise<ManagedObjectEntity[]> {
    return this.inventory.binariesOfType(manager, application.tenantId, archiveTypeOf(application.id));
  }

  /** Deletes archives of `application` (rows, then blobs); the caller checked they may go. */
  async deleteArchives(application: ApplicationEntity, archives: ManagedObjectEntity[]): Promise<void> {
    const keys = await this.inventory.deleteOwnedRows(
      this.dataSource.manager,
      application.tenantId,
      archives,
    );
    await this.deleteBlobs(keys);
  }

  /** One archive of the application (404 `applications/Not Found` for anything else). */
  async findArchive(
    application: ApplicationEntity,
    archiveId: string,
    manager = this.dataSource.manager,
  ): Promise<ManagedObjectEntity> {
    const archive = await this.inventory.findBinaryOfType(
      manager,
      application.tenantId,
      archiveId,
      archiveTypeOf(application.id),
    );
    if (!archive)
      throw CumulocityError.notFound(
        'applications',
        `Archive ${archiveId} of application ${application.id} not found`,
      );
    return archive;
  }

  /**
   * Whether `userName` of `tenantId` can use the tenant's applications: Depot has no per-application
   * access, so every enabled user can. Without a directory of users the question has no answer: 422.
   */
  private isActiveUser(tenantId: string, userName: string): Promise<boolean> {
    if (!this.directory)
      throw CumulocityError.invalidData('applications', 'Filtering by user needs a user directory');
    return this.directory.isActiveUser(tenantId, userName);
  }

  /** Blobs no row references any more; a failure is left to the sweeper. */
  private async deleteBlobs(keys: string[]): Promise<void> {
    for (const key of keys) await this.inventory.deleteBlobQuietly(key);
  }
}

function requireTenant(principal: Principal, rawId?: string): string {
  // Fail closed: TypeORM would drop an undefined key from the where clause.
  if (!principal.tenantId)
    throw rawId === undefined ? CumulocityError.forbidden() : applicationNotFound(rawId);
  return principal.tenantId;
}

/**
 * The toolkit POSTs the whole `cumulocity.json` (`isPackage`, `package` at the top level, no
 * `manifest`): they make the manifest, so the application is known as a package before its first
 * version. They stay in the body too (echoed, as every unknown property).
 */
function packageManifestOf(extra: Record<string, unknown>): Record<string, unknown> | null {
  const manifest: Record<string, unknown> = {};
  if (typeof extra.isPackage === 'boolean') manifest.isPackage = extra.isPackage;
  if (typeof extra.package === 'string') manifest.package = extra.package;
  return Object.keys(manifest).length > 0 ? manifest : null;
}

function withoutNulls(extra: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== null));
}

function applyChanges(current: ApplicationEntity, changes: ApplicationChanges): ApplicationEntity {
  const next = Object.assign(new ApplicationEntity(), current);
  if (changes.name !== undefined) next.name = changes.name;
  if (changes.key !== undefined) next.key = changes.key;
  if (changes.availability !== undefined) next.availability = changes.availability;
  if (changes.contextPath !== undefined) next.contextPath = changes.contextPath;
  if (changes.externalUrl !== undefined) next.externalUrl = changes.externalUrl;
  if (changes.manifest !== undefined) next.manifest = changes.manifest;
  if (changes.activeVersionId !== undefined) next.activeVersionId = changes.activeVersionId;
  next.extra = withoutNulls({ ...current.extra, ...changes.extra });
  return next;
}

/** What each type needs once the changes are applied. */
function assertComplete(application: ApplicationEntity): void {
  if (application.type === ApplicationType.Hosted && !application.contextPath)
    throw CumulocityError.invalidData('applications', 'A HOSTED application needs a "contextPath"');
  if (application.type === ApplicationType.External && !application.externalUrl)
    throw CumulocityError.invalidData('applications', 'An EXTERNAL application needs an "externalUrl"');
}

/** Maps a unique violation to 409 `applications/Duplicate`, naming the clashing property. */
function duplicateOr(error: unknown, application: ApplicationEntity): unknown {
  const violation = uniqueViolationOf(error);
  if (!violation) return error;
  const field = UNIQUE_FIELDS[violation.constraint ?? ''] ?? 'name';
  const value = field === 'contextPath' ? application.contextPath : application[field as 'name' | 'key'];
  return CumulocityError.conflict(
    'applications',
    `Application for tenant ${application.tenantId} with properties ( ${field}:${value} ) already exists`,
    'Duplicate',
  );
}
