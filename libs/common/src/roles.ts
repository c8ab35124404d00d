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

export function isRole(value: string): value is Role {
  return (ALL_ROLES as readonly string[]).includes(value);
}
