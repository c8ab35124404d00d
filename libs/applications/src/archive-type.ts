/** Managed objects of type `c8y_applications_storage_<appId>` are that application's archives. */
export const APPLICATION_ARCHIVE_TYPE_PREFIX = 'c8y_applications_storage_';

/** Managed-object type of an application's archives, as Cumulocity names it. */
export function archiveTypeOf(applicationId: string): string {
  return `${APPLICATION_ARCHIVE_TYPE_PREFIX}${applicationId}`;
}

export function isApplicationArchiveType(type: string | null | undefined): boolean {
  return typeof type === 'string' && type.startsWith(APPLICATION_ARCHIVE_TYPE_PREFIX);
}

/** Fragment of an archive's managed object holding its root `cumulocity.json`, when it has one. */
export const ARCHIVE_MANIFEST_FRAGMENT = 'c8y_ApplicationManifest';
