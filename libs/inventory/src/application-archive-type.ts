import { CumulocityError } from '@depot/common';

/**
 * Managed objects of type `c8y_applications_storage_<appId>` are hosted-application archives. They are
 * created (validated) and activated only through the application API and are immutable afterwards:
 * plugin changes build on the active archive trusting that it was validated, so the inventory API
 * must not create one, turn another object into one, or change one's content or fragments.
 */
export const APPLICATION_ARCHIVE_TYPE_PREFIX = 'c8y_applications_storage_';

export function isApplicationArchiveType(type: string | null | undefined): boolean {
  return typeof type === 'string' && type.startsWith(APPLICATION_ARCHIVE_TYPE_PREFIX);
}

/** For requests that would give an object an archive's type (upload, type change). */
export function assertNotArchiveType(type: string | null | undefined): void {
  if (isApplicationArchiveType(type))
    throw CumulocityError.invalidData(
      'inventory',
      `The type "${type}" is reserved for application archives; upload them through /application/applications/{id}/binaries`,
    );
}

/** For requests that would change an existing archive (content replace, fragment update). */
export function assertNotArchive(object: { id: string; type: string | null }): void {
  if (isApplicationArchiveType(object.type))
    throw CumulocityError.conflict(
      'inventory',
      `Managed object ${object.id} is an application archive and cannot be changed; upload a new one through the application API`,
    );
}
