import type { Role } from './roles';

/**
 * Who is calling. Put on the request (`request.principal`) by whatever authenticates it: Depot's
 * Basic auth, or a host platform's own authentication when the modules are embedded.
 */
export interface Principal {
  /** Tenant id, e.g. `management` or `t12345`. Every query is scoped by it. */
  tenantId: string;
  /** Login name; stored as `owner` on what the user creates. */
  userName: string;
  /** Effective global roles. */
  roles: readonly Role[];
}

declare module 'http' {
  interface IncomingMessage {
    principal?: Principal;
    /** Set by the request-id middleware; echoed in 500 bodies and logs. */
    requestId?: string;
  }
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
