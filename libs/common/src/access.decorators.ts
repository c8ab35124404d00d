import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Module,
  SetMetadata,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CumulocityError } from './cumulocity-error';
import { hasAnyRole, Principal } from './principal';
import type { Role } from './roles';

export const PUBLIC_KEY = 'depot:public';
export const ROLES_KEY = 'depot:roles';
export const AUTHENTICATED_KEY = 'depot:authenticated';

/**
 * Checks the route's `@Roles(...)` against `request.principal`. Deny by default: a route that declares
 * neither `@Roles` nor `@Public` is refused. Works wherever the principal came from (Depot's Basic
 * auth or a host platform's authentication), so embedded modules bring their authorization along.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const principal = context.switchToHttp().getRequest<IncomingMessage>().principal;
    if (!principal)
      throw CumulocityError.unauthorized('Full authentication is required to access this resource');
    if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0) throw CumulocityError.forbidden();
    if (!hasAnyRole(principal, roles)) throw CumulocityError.forbidden();
    return true;
  }
}

/**
 * Registers {@link RolesGuard} as the app's global guard, once however many modules import it. Every
 * Depot feature module imports it, so a host embedding any of them gets deny-by-default on all its
 * routes, its own included. Global guards run in the order their modules are scanned: a composition
 * root that authenticates with a guard registers that guard itself, so it runs first.
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: RolesGuard }] })
export class RolesGuardModule {}

/** Any one of `roles` grants access. */
export function Roles(...roles: Role[]): MethodDecorator & ClassDecorator {
  return SetMetadata(ROLES_KEY, roles);
}

/** Any authenticated caller, whatever their roles (e.g. `GET /user/currentUser`). */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return SetMetadata(AUTHENTICATED_KEY, true);
}

/** Reachable without credentials. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}

/** The authenticated caller; routes behind `@Roles` always have one. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<IncomingMessage>().principal;
    if (!principal)
      throw CumulocityError.unauthorized('Full authentication is required to access this resource');
    return principal;
  },
);
