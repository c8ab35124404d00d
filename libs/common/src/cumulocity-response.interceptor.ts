import { CallHandler, ExecutionContext, Injectable, NestInterceptor, StreamableFile } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { map, Observable } from 'rxjs';
import { RESPONSE_MEDIA_TYPE_KEY } from './response-media-type.decorator';

/**
 * Cumulocity's response conventions for JSON routes: the route's vnd media type as Content-Type,
 * and an empty body (same status) for a POST or PUT sent without an `Accept` header.
 * Routes that write the response themselves (streams, `@Res()`) are left alone.
 */
@Injectable()
export class CumulocityResponseInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
    const mediaType = this.reflector.getAllAndOverride<string | undefined>(RESPONSE_MEDIA_TYPE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return next.handle().pipe(
      map((body: unknown) => {
        if (response.headersSent || body === undefined || body === null || !isPlainJson(body)) return body;
        if (omitsBody(request)) {
          response.removeHeader('Content-Type');
          return undefined;
        }
        if (mediaType) response.setHeader('Content-Type', mediaType);
        return body;
      }),
    );
  }
}

/** POST/PUT without an Accept header: Cumulocity answers with an empty body. */
function omitsBody(request: IncomingMessage): boolean {
  const accept = request.headers.accept;
  return (
    (request.method === 'POST' || request.method === 'PUT') && (accept === undefined || accept.trim() === '')
  );
}

function isPlainJson(body: unknown): boolean {
  if (typeof body !== 'object' || body instanceof StreamableFile || Buffer.isBuffer(body)) return false;
  return typeof (body as { pipe?: unknown }).pipe !== 'function';
}
