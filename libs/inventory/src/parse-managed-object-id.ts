import { CumulocityError } from '@depot/common';

/**
 * Ids are positive `bigint`s. Anything else (non-numeric, negative, too long for `bigint`) cannot
 * name an object, so it is a 404 like an unknown id, never a database error.
 */
export function parseManagedObjectId(raw: string): string {
  if (!/^[1-9][0-9]{0,17}$/.test(raw))
    throw CumulocityError.notFound('inventory', `Managed object with id ${JSON.stringify(raw)} not found`);
  return raw;
}
