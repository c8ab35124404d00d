import { CumulocityError, readListFilters, type Paging } from '@depot/common';
import type { ApplicationListFilter } from './applications.service';

const TYPES: ReadonlySet<string> = new Set(['HOSTED', 'EXTERNAL', 'MICROSERVICE']);
const AVAILABILITIES: ReadonlySet<string> = new Set(['MARKET', 'PRIVATE', 'SHARED']);

/**
 * Filters of `GET /application/applications`: `name`, `type` (comma list), `owner`, `tenant`,
 * `subscriber`, `providedFor`, `user`, `availability`. `hasVersions` is not implemented yet: a 422.
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
    implemented: [
      'name',
      'type',
      'owner',
      'tenant',
      'subscriber',
      'providedFor',
      'user',
      'availability',
      'hasVersions',
    ],
    refused: [],
  });
  // An empty filter is no filter.
  const single = (name: keyof typeof filters): string | undefined => filters[name] || undefined;
  const name = single('name');
  if (name !== undefined) filter.name = name;
  const owner = single('owner');
  if (owner !== undefined) filter.owner = owner;
  const tenant = single('tenant');
  if (tenant !== undefined) filter.tenant = tenant;
  const subscriber = single('subscriber');
  if (subscriber !== undefined) filter.subscriber = subscriber;
  const providedFor = single('providedFor');
  if (providedFor !== undefined) filter.providedFor = providedFor;
  const user = single('user');
  if (user !== undefined) filter.user = user;
  const availability = single('availability')?.toUpperCase();
  if (availability !== undefined) {
    if (!AVAILABILITIES.has(availability))
      throw CumulocityError.invalidData(
        'applications',
        `Unknown availability "${availability}" (MARKET, PRIVATE or SHARED)`,
      );
    filter.availability = availability;
  }
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
