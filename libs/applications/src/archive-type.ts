/** Managed-object type of an application's archives, as Cumulocity names it. */
export function archiveTypeOf(applicationId: string): string {
  return `c8y_applications_storage_${applicationId}`;
}

/** Fragment of an archive's managed object holding its root `cumulocity.json`, when it has one. */
export const ARCHIVE_MANIFEST_FRAGMENT = 'c8y_ApplicationManifest';
