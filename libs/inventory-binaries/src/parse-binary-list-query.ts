import { CumulocityError, isEntityId, singleQueryValue, type Paging } from '@depot/common';
import type { BinaryListFilter } from './binaries.service';

/** Relation filters of `GET /inventory/binaries` that need relations Depot does not model yet. */
const RELATION_FILTERS = ['childAdditionId', 'childAssetId', 'childDeviceId'];

/** `ids`, `type`, `owner`, `text` of the list query; relation filters are a clear 422. */
export function parseBinaryListQuery(query: Record<string, unknown>, paging: Paging): BinaryListFilter {
  for (const name of RELATION_FILTERS) {
    if (query[name] !== undefined)
      throw CumulocityError.invalidData(
        'inventory',
        `Filtering binaries by ${name} is not supported: Depot has no managed-object relations`,
      );
  }
  const single = (name: string): string | undefined => singleQueryValue(query, name, 'inventory');
  const idsParam = single('ids');
  let ids: string[] | undefined;
  if (idsParam !== undefined) {
    ids = idsParam
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0);
    if (!ids.every(isEntityId))
      throw CumulocityError.invalidData(
        'inventory',
        `ids must be a comma-separated list of ids, got "${idsParam}"`,
      );
    if (ids.length === 0) ids = ['0'];
  }
  return {
    ids,
    type: single('type'),
    owner: single('owner'),
    text: single('text'),
    offset: paging.offset,
    limit: paging.pageSize,
    withTotal: paging.wantsTotal,
  };
}
