import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { requestBaseUrl } from './request-base-url';

/** The request's `requestBaseUrl`, for a handler whose answer links to itself. */
export const BaseUrl = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  requestBaseUrl(context.switchToHttp().getRequest<Request>()),
);
