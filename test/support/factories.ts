import type { Role } from '@depot/common';
import request from 'supertest';
import { basicAuth, type TestApp } from './test-app';

export interface CreatedTenant {
  id: string;
  admin: { tenant: string; user: string; password: string };
  /** Basic header of the tenant's admin. */
  auth: string;
}

export interface CreatedUser {
  tenant: string;
  userName: string;
  password: string;
  roles: Role[];
  /** `Basic base64(tenant/user:password)`. */
  auth: string;
}

/** Creates a tenant and its admin through `POST /tenant/tenants` as the bootstrap admin. */
export async function createTenant(t: TestApp, name: string): Promise<CreatedTenant> {
  const password = `${name}-admin-pw`;
  const response = await request(t.server)
    .post('/tenant/tenants')
    .set('Authorization', t.auth())
    .set('Accept', 'application/json')
    .send({
      id: name,
      company: `${name} Inc.`,
      domain: `${name}.example.com`,
      adminName: 'admin',
      adminPass: password,
    });
  if (response.status !== 201) throw new Error(`createTenant ${name}: ${response.status} ${response.text}`);
  const id = (response.body as { id: string }).id;
  return { id, admin: { tenant: id, user: 'admin', password }, auth: basicAuth(id, 'admin', password) };
}

/**
 * Creates a user through `POST /user/{tenant}/users` and grants `roles` through the role API, as the
 * given tenant's admin (default: the bootstrap tenant's).
 */
export async function createUser(
  t: TestApp,
  options: { tenant?: CreatedTenant | string; userName: string; password?: string; roles: Role[] },
): Promise<CreatedUser> {
  const tenantId =
    typeof options.tenant === 'string' ? options.tenant : (options.tenant?.id ?? t.admin.tenant);
  const adminAuth =
    typeof options.tenant === 'object'
      ? options.tenant.auth
      : tenantId === t.admin.tenant
        ? t.auth()
        : undefined;
  if (!adminAuth) throw new Error(`createUser: pass the CreatedTenant for ${tenantId}`);
  const password = options.password ?? `${options.userName}-pw-123`;
  const created = await request(t.server)
    .post(`/user/${tenantId}/users`)
    .set('Authorization', adminAuth)
    .send({ userName: options.userName, password });
  if (created.status !== 201)
    throw new Error(`createUser ${options.userName}: ${created.status} ${created.text}`);
  for (const role of options.roles) {
    const granted = await request(t.server)
      .post(`/user/${tenantId}/users/${encodeURIComponent(options.userName)}/roles`)
      .set('Authorization', adminAuth)
      .send({ role: { self: `${t.baseUrl}/user/roles/${role}` } });
    if (granted.status !== 201) throw new Error(`grant ${role}: ${granted.status} ${granted.text}`);
  }
  return {
    tenant: tenantId,
    userName: options.userName,
    password,
    roles: options.roles,
    auth: basicAuth(tenantId, options.userName, password),
  };
}
