/**
 * Which tenants and users exist, for modules that do not own them (applications: subscriptions, the
 * `user` filter, `applicationsByUser`). Depot's auth module provides it globally; an embedding host
 * may provide its own. Modules inject it as optional and fail closed without one.
 */
export abstract class TenantDirectory {
  abstract tenantExists(tenantId: string): Promise<boolean>;
  /** Whether `userName` is an enabled user of `tenantId`. */
  abstract isActiveUser(tenantId: string, userName: string): Promise<boolean>;
}
