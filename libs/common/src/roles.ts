/** Cumulocity global roles that Depot knows. A tenant's admin gets all of them. */
export enum Role {
  InventoryRead = 'ROLE_INVENTORY_READ',
  InventoryCreate = 'ROLE_INVENTORY_CREATE',
  InventoryAdmin = 'ROLE_INVENTORY_ADMIN',
  ApplicationManagementRead = 'ROLE_APPLICATION_MANAGEMENT_READ',
  ApplicationManagementAdmin = 'ROLE_APPLICATION_MANAGEMENT_ADMIN',
  UserManagementRead = 'ROLE_USER_MANAGEMENT_READ',
  UserManagementAdmin = 'ROLE_USER_MANAGEMENT_ADMIN',
  TenantManagementAdmin = 'ROLE_TENANT_MANAGEMENT_ADMIN',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** The role sets routes declare with `@Roles(...)`: who may read and who may change each API's data. */
export const INVENTORY_READERS = [Role.InventoryRead, Role.InventoryAdmin, Role.InventoryCreate] as const;
export const INVENTORY_WRITERS = [Role.InventoryAdmin, Role.InventoryCreate] as const;
export const APPLICATION_READERS = [Role.ApplicationManagementRead, Role.ApplicationManagementAdmin] as const;
export const APPLICATION_ADMINS = [Role.ApplicationManagementAdmin] as const;

export function isRole(value: string): value is Role {
  return (ALL_ROLES as readonly string[]).includes(value);
}
