import { CumulocityError, isEntityId, readListFilters, unquoteFilterValue, type Paging } from '@depot/common';
import { parseInventoryQuery, type OrderTerm, type QueryNode } from './parse-inventory-query';

/** One page of a managed-object list: every condition must hold (they are ANDed). */
export interface ManagedObjectListFilter {
  ids?: string[];
  /** Case-insensitive substring of name, type or content type. */
  text?: string;
  conditions: QueryNode[];
  /** After these terms the list is ordered by id, so pages are stable. */
  orderBy: OrderTerm[];
  offset: number;
  limit: number;
  withTotal: boolean;
}

/** Relation filters Cumulocity defines (and the spellings clients send) that Depot cannot evaluate. */
const REFUSED = [
  'childAdditionId',
  'childAddition',
  'childAssetId',
  'childAsset',
  'childDeviceId',
  'childDevice',
  'onlyRoots',
];
const IMPLEMENTED = ['ids', 'type', 'owner', 'text', 'fragmentType', 'name', 'query', 'q'] as const;

/** What `q=` adds: Cumulocity's device query is the query language with an implicit device filter. */
const IS_DEVICE: QueryNode = { kind: 'has', path: ['c8y_IsDevice'] };

/**
 * The filters of `GET /inventory/managedObjects` and `GET /inventory/binaries`: `ids`, `type`,
 * `owner`, `text`, `fragmentType`, `name` (`*` is a wildcard), `query` and `q` (the query language
 * subset, see `parseInventoryQuery`); relation filters are a 422.
 */
export function parseManagedObjectListQuery(
  query: Record<string, unknown>,
  paging: Paging,
): ManagedObjectListFilter {
  const filters = readListFilters(query, {
    resource: 'inventory',
    implemented: IMPLEMENTED,
    refused: REFUSED,
  });
  const conditions: QueryNode[] = [];
  const orderBy: OrderTerm[] = [];
  const equals = (field: string, segments: string[]): QueryNode => ({
    kind: 'compare',
    operator: 'eq',
    path: [field],
    value: { kind: 'string', segments },
  });
  if (filters.type !== undefined) conditions.push(equals('type', [filters.type]));
  if (filters.owner !== undefined) conditions.push(equals('owner', [filters.owner]));
  if (filters.name !== undefined) conditions.push(equals('name', filters.name.split('*')));
  if (filters.fragmentType !== undefined) conditions.push({ kind: 'has', path: [filters.fragmentType] });
  // The query language quotes its own strings: `query` and `q` are read as sent, not unquoted.
  for (const name of ['query', 'q'] as const) {
    const raw = rawValue(query, name);
    if (raw === undefined) continue;
    const parsed = parseInventoryQuery(raw);
    if (parsed.filter) conditions.push(parsed.filter);
    if (name === 'q') conditions.push(IS_DEVICE);
    orderBy.push(...parsed.orderBy);
  }
  return {
    ids: filters.ids === undefined ? undefined : parseIds(filters.ids),
    text: filters.text,
    conditions,
    orderBy,
    offset: paging.offset,
    limit: paging.pageSize,
    withTotal: paging.wantsTotal,
  };
}

function rawValue(query: Record<string, unknown>, name: string): string | undefined {
  // readListFilters has checked that it is given once; it unquoted a copy, which is not wanted here.
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

function parseIds(raw: string): string[] {
  const ids = raw
    .split(',')
    .map((id) => unquoteFilterValue(id.trim()))
    .filter((id) => id.length > 0);
  if (!ids.every(isEntityId))
    throw CumulocityError.invalidData('inventory', `ids must be a comma-separated list of ids, got "${raw}"`);
  // An empty list matches nothing (no id is 0), rather than everything.
  return ids.length === 0 ? ['0'] : ids;
}
