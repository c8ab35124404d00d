import { Injectable, type NestMiddleware } from '@nestjs/common';
import { Role, type Principal } from '@depot/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The host's own authentication, standing in for whatever a platform uses (sessions, OIDC, API
 * keys): it trusts an `X-Host-User` header (set by its gateway) and looks the user up in its own
 * directory. Depot's modules only need the principal it puts on the request.
 */
export const HOST_USERS: Record<string, Principal> = {
  alice: {
    tenantId: 'acme',
    userName: 'alice',
    roles: [Role.InventoryAdmin, Role.ApplicationManagementAdmin],
  },
  bob: { tenantId: 'acme', userName: 'bob', roles: [Role.InventoryRead] },
  carol: { tenantId: 'globex', userName: 'carol', roles: [Role.InventoryAdmin] },
};

@Injectable()
export class HostAuthMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const user = request.headers['x-host-user'];
    if (typeof user === 'string' && Object.hasOwn(HOST_USERS, user)) request.principal = HOST_USERS[user];
    next();
  }
}
