import type { Role } from '@depot/common';
import type { TenantEntity } from './tenant.entity';
import type { UserEntity } from './user.entity';

/** Cumulocity's JSON shapes for users, roles and tenants (absolute `self` links). */
export function roleJson(role: Role, baseUrl: string) {
  return { id: role, name: role, self: `${baseUrl}/user/roles/${role}` };
}

export function roleReferenceJson(user: UserEntity, role: Role, baseUrl: string) {
  return { self: `${userSelf(user, baseUrl)}/roles/${role}`, role: roleJson(role, baseUrl) };
}

export function userSelf(user: UserEntity, baseUrl: string): string {
  return `${baseUrl}/user/${encodeURIComponent(user.tenantId)}/users/${encodeURIComponent(user.userName)}`;
}

/** What `/user/{tenant}/users/{userName}` and `/user/currentUser` both show of a user. */
function userFields(user: UserEntity) {
  return {
    id: user.userName,
    userName: user.userName,
    email: user.email ?? undefined,
    firstName: user.firstName ?? undefined,
    lastName: user.lastName ?? undefined,
    phone: user.phone ?? undefined,
    enabled: user.enabled,
    shouldResetPassword: false,
    lastPasswordChange: user.lastPasswordChange.toISOString(),
  };
}

export function userJson(user: UserEntity, baseUrl: string) {
  const self = userSelf(user, baseUrl);
  return {
    ...userFields(user),
    self,
    roles: {
      self: `${self}/roles`,
      references: user.roles.map((role) => roleReferenceJson(user, role, baseUrl)),
    },
    groups: { self: `${self}/groups`, references: [] },
  };
}

export function currentUserJson(user: UserEntity, baseUrl: string) {
  return {
    ...userFields(user),
    self: `${baseUrl}/user/currentUser`,
    effectiveRoles: user.roles.map((role) => roleJson(role, baseUrl)),
  };
}

export function tenantJson(tenant: TenantEntity, baseUrl: string) {
  return {
    id: tenant.id,
    self: `${baseUrl}/tenant/tenants/${encodeURIComponent(tenant.id)}`,
    company: tenant.company,
    domain: tenant.domain,
    adminName: tenant.adminName,
    adminEmail: tenant.adminEmail ?? undefined,
    status: tenant.status,
    creationTime: tenant.created.toISOString(),
    allowCreateTenants: false,
    customProperties: {},
  };
}

export function currentTenantJson(tenant: TenantEntity, baseUrl: string, canCreateTenants: boolean) {
  return {
    name: tenant.id,
    domainName: tenant.domain,
    self: `${baseUrl}/tenant/currentTenant`,
    allowCreateTenants: canCreateTenants,
    customProperties: {},
    applications: {
      self: `${baseUrl}/tenant/tenants/${encodeURIComponent(tenant.id)}/applications`,
      references: [],
    },
  };
}

/**
 * Depot's ways in: Basic, and OAuth-internal (`POST /tenant/oauth`, the cookie session the Web SDK
 * prefers). `initRequest` names the bootstrap tenant, which a login page may prefill.
 */
export function loginOptionsJson(baseUrl: string, bootstrapTenant: string) {
  const self = `${baseUrl}/tenant/loginOptions`;
  const common = { grantType: 'PASSWORD', userManagementSource: 'INTERNAL', visibleOnLoginPage: true };
  return {
    self,
    loginOptions: [
      { id: 'basic', self: `${self}/basic`, type: 'BASIC', ...common },
      {
        id: 'oauth2_internal',
        self: `${self}/oauth2_internal`,
        type: 'OAUTH2_INTERNAL',
        ...common,
        initRequest: `${baseUrl}/tenant/oauth?tenant_id=${encodeURIComponent(bootstrapTenant)}`,
      },
    ],
  };
}
