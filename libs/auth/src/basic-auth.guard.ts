import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_KEY } from '@depot/common';
import type { Request } from 'express';
import { AuthService } from './auth.service';

/**
 * Global authentication: every route except `@Public()` ones needs valid credentials, which put the
 * principal on the request for the roles guard that runs next.
 */
@Injectable()
export class BasicAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<Request>();
    request.principal = await this.auth.authenticate(
      request.headers.authorization,
      request.ip ?? request.socket.remoteAddress ?? 'unknown',
    );
    return true;
  }
}
