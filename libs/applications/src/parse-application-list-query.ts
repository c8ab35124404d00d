import { CumulocityError, readListFilters, type Paging } from '@depot/common';
import type { ApplicationListFilter } from './applications.service';

const TYPES: ReadonlySet<string> = new Set(['HOSTED', 'EXTERNAL', 'MICROSERVICE']);

/**
 * Filters of `GET /application/applications`: `name`, `type` (comma list), `owner`, `tenant`. The
 * other Cumulocity filters need subscriptions or versions Depot does not hold yet: a 422.
 */
export function parseApplicationListQuery(
  query: Record<string, unknown>,
  paging: Paging,
): ApplicationListFilter {
  const filter: ApplicationListFilter = {
    offset: paging.offset,
    limit: paging.pageSize,
    withTotal: paging.wantsTotal,
  };
  const filters = readListFilters(query, {
    resource: 'applications',
    implemented: ['name', 'type', 'owner', 'tenant', 'hasVersions'],
    refused: ['subscriber', 'user', 'providedFor', 'availability'],
  });
  // An empty filter is no filter.
  const single = (name: keyof typeof filters): string | undefined => filters[name] || undefined;
  const name = single('name');
  if (name !== undefined) filter.name = name;
  const owner = single('owner');
  if (owner !== undefined) filter.owner = owner;
  const tenant = single('tenant');
  if (tenant !== undefined) filter.tenant = tenant;
  const hasVersions = single('hasVersions');
  if (hasVersions !== undefined) {
    if (hasVersions !== 'true' && hasVersions !== 'false')
      throw CumulocityError.invalidData('applications', '"hasVersions" must be true or false');
    filter.hasVersions = hasVersions === 'true';
  }
  const type = single('type');
  if (type !== undefined) {
    const types = type
      .split(',')
      .map((candidate) => candidate.trim().toUpperCase())
      .filter((candidate) => candidate.length > 0);
    const unknown = types.find((candidate) => !TYPES.has(candidate));
    if (unknown !== undefined)
      throw CumulocityError.invalidData('applications', `Unknown application type "${unknown}" in "type"`);
    if (types.length > 0) filter.types = types;
  }
  return filter;
}
