import { CumulocityError, isEntityId, type Page, type Principal } from '@depot/common';
import { STORAGE_DRIVER, type StorageDriver } from '@depot/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { assertCanModify, assertCanRead, readsOnlyOwn } from './managed-object-access';
import { assertStorableNameAndType } from './managed-object-limits';
import { ManagedObjectEntity, type Fragments } from './managed-object.entity';
import { ManagedObjectOwners } from './managed-object-owners';
import {
  COLUMN_FIELDS,
  READ_ONLY_FIELDS,
  type RepresentedManagedObject,
} from './managed-object.representation';
import { parseManagedObjectId } from './parse-managed-object-id';
import { InventoryQuerySql, likePattern } from './query/inventory-query-sql';
import type { ManagedObjectListFilter } from './query/parse-managed-object-list-query';

/**
 * Managed objects as far as binaries need them: read, partial update of name/type/fragments, and
 * delete (row first, then its blob). Every query is scoped by the caller's tenant.
 */
@Injectable()
export class InventoryService {
  private readonly logger = new Logger(InventoryService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly owners: ManagedObjectOwners,
  ) {}

  /** The object if it exists in the caller's tenant and the caller may read it (404 / 403 otherwise). */
  async findOne(principal: Principal, rawId: string): Promise<ManagedObjectEntity> {
    const object = await this.findInTenant(this.dataSource.manager, principal, rawId);
    assertCanRead(principal, object);
    return object;
  }

  /**
   * One page of the tenant's managed objects (only binaries with `binariesOnly`) that match every
   * condition, in `$orderby=` order and then by id, with the total when asked. A caller who may read
   * only its own objects lists only those. Filters run in PostgreSQL with bound parameters; the
   * page holds the fields the JSON shows, not entities.
   */
  async list(
    principal: Principal,
    filter: ManagedObjectListFilter,
    scope: { binariesOnly?: boolean } = {},
  ): Promise<Page<RepresentedManagedObject>> {
    if (!principal.tenantId) throw CumulocityError.forbidden();
    const parameters: Record<string, unknown> = { tenantId: principal.tenantId };
    const where = ['mo.tenant_id = :tenantId'];
    if (scope.binariesOnly) where.push('mo.storage_key IS NOT NULL');
    if (readsOnlyOwn(principal)) {
      where.push('mo.owner = :self');
      parameters.self = principal.userName;
    }
    if (filter.ids) {
      where.push('mo.id IN (:...ids)');
      parameters.ids = filter.ids;
    }
    if (filter.text !== undefined) {
      where.push('(mo.name ILIKE :pattern OR mo.type ILIKE :pattern OR mo.content_type ILIKE :pattern)');
      parameters.pattern = `%${likePattern([filter.text])}%`;
    }
    const sql = new InventoryQuerySql();
    for (const condition of filter.conditions) where.push(sql.condition(condition));
    // By expression, as TypeORM's addOrderBy keyed them: a repeated term keeps its first place and
    // its last direction.
    const order = new Map<string, string>();
    for (const { expression, direction, nullable } of sql.orderExpressions(filter.orderBy))
      order.set(expression, nullable ? `${direction} NULLS LAST` : direction);
    // Ties are broken by id so pages never overlap.
    if (!order.has('mo.id')) order.set('mo.id', 'ASC');
    Object.assign(parameters, sql.parameters, { limit: filter.limit, offset: filter.offset });
    const matching = `FROM managed_objects mo WHERE ${where.join(' AND ')}`;
    const orderBy = [...order].map(([expression, direction]) => `${expression} ${direction}`).join(', ');
    // Written out rather than built by TypeORM's query builder, whose metadata walk cost more CPU
    // than the statement; only the columns the JSON shows, as rows rather than entities.
    const items = await this.query<RepresentedManagedObject>(
      `SELECT ${LISTED_COLUMNS} ${matching} ORDER BY ${orderBy} LIMIT :limit OFFSET :offset`,
      parameters,
    );
    if (!filter.withTotal) return { items };
    const [{ total }] = await this.query<{ total: string }>(
      `SELECT count(*) AS total ${matching}`,
      parameters,
    );
    return { items, total: Number(total) };
  }

  /** Runs `sql` with `:name` (and `:...list`) parameters, bound as TypeORM binds them. */
  private query<T>(sql: string, parameters: Record<string, unknown>): Promise<T[]> {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters, {});
    return this.dataSource.query<T[]>(text, values);
  }

  /**
   * Merges `changes` into the object: `name`/`type` are set, other keys replace their fragment, a
   * `null` removes it, read-only fields are ignored. The row is locked so two updates cannot lose
   * each other's fragments.
   */
  async update(principal: Principal, rawId: string, changes: unknown): Promise<ManagedObjectEntity> {
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes))
      throw CumulocityError.invalidData('inventory', 'The request body must be a JSON object');
    const entries = Object.entries(changes as Record<string, unknown>).filter(
      ([key]) => !READ_ONLY_FIELDS.has(key),
    );
    for (const [key, value] of entries) {
      if (COLUMN_FIELDS.has(key) && value !== null && typeof value !== 'string')
        throw CumulocityError.invalidData('inventory', `"${key}" must be a string`);
      if (key === 'type') this.owners.assertTypeAllowed(value as string | null);
    }
    assertStorableNameAndType(changes);
    return this.dataSource.transaction(async (manager) => {
      const object = await this.findInTenant(manager, principal, rawId, true);
      assertCanModify(principal, object);
      this.owners.assertChangeAllowed(object, 'update');
      const fragments = { ...object.fragments };
      for (const [key, value] of entries) {
        if (key === 'name') object.name = value as string | null;
        else if (key === 'type') object.type = value as string | null;
        else if (value === null) delete fragments[key];
        else fragments[key] = value;
      }
      object.fragments = fragments;
      object.lastUpdated = new Date();
      await manager.update(
        ManagedObjectEntity,
        { id: object.id, tenantId: object.tenantId },
        {
          name: object.name,
          type: object.type,
          // TypeORM's deep-partial type cannot express an open JSON object; the value is a plain one.
          fragments: fragments as QueryDeepPartialEntity<Fragments>,
          lastUpdated: object.lastUpdated,
        },
      );
      return object;
    });
  }

  /**
   * Deletes the row, then (after commit) its blob. A crash in between leaves an unreferenced blob,
   * which the sweeper removes; never a row without its bytes.
   */
  async remove(
    principal: Principal,
    rawId: string,
    options: { binaryOnly?: boolean } = {},
  ): Promise<ManagedObjectEntity> {
    const removed = await this.dataSource.transaction(async (manager) => {
      const object = await this.findInTenant(manager, principal, rawId, true);
      if (options.binaryOnly && object.storageKey === null) throw notFound(rawId);
      assertCanModify(principal, object);
      this.owners.assertChangeAllowed(object, 'delete');
      await manager.delete(ManagedObjectEntity, { id: object.id, tenantId: object.tenantId });
      return object;
    });
    if (removed.storageKey !== null) await this.deleteBlobQuietly(removed.storageKey);
    return removed;
  }

  /** The tenant's binaries of `type`, oldest first: for the module that owns objects of that type. */
  binariesOfType(manager: EntityManager, tenantId: string, type: string): Promise<ManagedObjectEntity[]> {
    return manager
      .createQueryBuilder(ManagedObjectEntity, 'mo')
      .where('mo.tenant_id = :tenantId', { tenantId })
      .andWhere('mo.type = :type', { type })
      .andWhere('mo.storage_key IS NOT NULL')
      .orderBy('mo.id', 'ASC')
      .getMany();
  }

  /** The binary `id` of the tenant if it has `type`; `null` for anything else (ids of any shape). */
  async findBinaryOfType(
    manager: EntityManager,
    tenantId: string,
    id: string,
    type: string,
  ): Promise<ManagedObjectEntity | null> {
    if (!isEntityId(id) || !tenantId) return null;
    const object = await manager.findOne(ManagedObjectEntity, { where: { id, tenantId, type } });
    return object?.storageKey ? object : null;
  }

  /**
   * Deletes rows the owning module found and checked itself, in `manager`'s transaction, and returns
   * their blob keys for {@link deleteBlobQuietly} once that transaction committed.
   */
  async deleteOwnedRows(
    manager: EntityManager,
    tenantId: string,
    objects: ManagedObjectEntity[],
  ): Promise<string[]> {
    if (objects.length === 0) return [];
    await manager.delete(ManagedObjectEntity, { tenantId, id: In(objects.map((object) => object.id)) });
    return objects.map((object) => object.storageKey).filter((key): key is string => key !== null);
  }

  /** Deletes a blob that no row references any more; failures are left to the sweeper. */
  async deleteBlobQuietly(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (error) {
      this.logger.warn(`Could not delete blob ${key}; the sweeper will retry: ${String(error)}`);
    }
  }

  /** Loads by id within the caller's tenant (optionally locking the row); 404 when absent. */
  async findInTenant(
    manager: EntityManager,
    principal: Principal,
    rawId: string,
    lock = false,
  ): Promise<ManagedObjectEntity> {
    const id = parseManagedObjectId(rawId);
    // Fail closed: TypeORM would drop an undefined key from the where clause.
    if (!principal.tenantId) throw notFound(rawId);
    const object = await manager.findOne(ManagedObjectEntity, {
      where: { id, tenantId: principal.tenantId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!object) throw notFound(rawId);
    return object;
  }
}

/**
 * A list's columns under the entity's property names. Times are written by PostgreSQL as
 * `Date.prototype.toISOString()` writes them (UTC, microseconds cut to milliseconds as `pg`'s
 * `Date` cuts them), which holds for the years 1–9999 of every time Depot writes.
 */
const ISO_TIME = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const LISTED_COLUMNS = [
  'mo.id AS "id"',
  'mo.owner AS "owner"',
  'mo.name AS "name"',
  'mo.type AS "type"',
  'mo.fragments AS "fragments"',
  `to_char(mo.creation_time AT TIME ZONE 'UTC', ${ISO_TIME}) AS "creationTime"`,
  `to_char(mo.last_updated AT TIME ZONE 'UTC', ${ISO_TIME}) AS "lastUpdated"`,
  'mo.storage_key AS "storageKey"',
  // A number, as the entity's transformer makes it (both round to the nearest double).
  'CAST(mo.length AS float8) AS "length"',
  'mo.content_type AS "contentType"',
  'mo.md5 AS "md5"',
  'mo.revpos AS "revpos"',
].join(', ');

export function notFound(rawId: string): CumulocityError {
  return CumulocityError.notFound('inventory', `Managed object with id ${rawId} not found`);
}
