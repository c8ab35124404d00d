import { CumulocityError, isEntityId, readListFilters, type Paging } from '@depot/common';
import type { BinaryListFilter } from './binaries.service';

/**
 * Managed-object filters Cumulocity defines that Depot does not implement for binaries (no query
 * language, fragments or relations yet). `withChildren`, `withParents`... only decorate: ignored.
 */
const REFUSED = [
  'fragmentType',
  'name',
  'query',
  'q',
  'childAdditionId',
  'childAddition',
  'childAssetId',
  'childDeviceId',
  'onlyRoots',
];

/** `ids`, `type`, `owner`, `text` of the list query; other Cumulocity filters are a 422. */
export function parseBinaryListQuery(query: Record<string, unknown>, paging: Paging): BinaryListFilter {
  const filters = readListFilters(query, {
    resource: 'inventory',
    implemented: ['ids', 'type', 'owner', 'text'],
    refused: REFUSED,
  });
  const idsParam = filters.ids;
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
    type: filters.type,
    owner: filters.owner,
    text: filters.text,
    offset: paging.offset,
    limit: paging.pageSize,
    withTotal: paging.wantsTotal,
  };
}
