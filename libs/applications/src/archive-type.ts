/** Managed-object type of an application's archives, as Cumulocity names it. */
export function archiveTypeOf(applicationId: string): string {
  return `c8y_applications_storage_${applicationId}`;
}
