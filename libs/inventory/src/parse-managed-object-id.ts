import { CumulocityError, isEntityId } from '@depot/common';

/** A managed-object id, or the 404 an unknown id gets (see `isEntityId`). */
export function parseManagedObjectId(raw: string): string {
  if (!isEntityId(raw))
    throw CumulocityError.notFound('inventory', `Managed object with id ${JSON.stringify(raw)} not found`);
  return raw;
}
