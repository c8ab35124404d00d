import { CumulocityError, singleQueryValue, type Paging } from '@depot/common';
import type { ApplicationListFilter } from './applications.service';

const TYPES: ReadonlySet<string> = new Set(['HOSTED', 'EXTERNAL', 'MICROSERVICE']);

/**
 * Filters of `GET /application/applications`: `name`, `type` (comma list), `owner`, `tenant`. Other
 * Cumulocity filters (`user`, `providedFor`, `subscriber`, `hasVersions`) are accepted and ignored.
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
  const name = single(query, 'name');
  if (name !== undefined) filter.name = name;
  const owner = single(query, 'owner');
  if (owner !== undefined) filter.owner = owner;
  const tenant = single(query, 'tenant');
  if (tenant !== undefined) filter.tenant = tenant;
  const type = single(query, 'type');
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

/** An empty filter is no filter. */
function single(query: Record<string, unknown>, name: string): string | undefined {
  return singleQueryValue(query, name, 'applications') || undefined;
}
