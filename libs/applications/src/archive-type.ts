import { APPLICATION_ARCHIVE_TYPE_PREFIX } from '@depot/inventory';

/** Managed-object type of an application's archives, as Cumulocity names it. */
export function archiveTypeOf(applicationId: string): string {
  return `${APPLICATION_ARCHIVE_TYPE_PREFIX}${applicationId}`;
}

/** Fragment of an archive's managed object holding its root `cumulocity.json`, when it has one. */
export const ARCHIVE_MANIFEST_FRAGMENT = 'c8y_ApplicationManifest';
