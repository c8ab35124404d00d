import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { text } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { from, Observable, switchMap } from 'rxjs';
import { errorResourceForPath } from './error-resource';
import { isJsonMediaType } from './is-json-media-type';
import { parseJsonText } from './parse-json-text';
import { STREAMED_BODY_KEY } from './streamed-body.decorator';

/**
 * Parses JSON bodies (`application/json` and Cumulocity's vnd `+json` types) with `parseJsonText`
 * (bounded depth, no U+0000) for every route except `@StreamedBody()` ones. An interceptor rather
 * than a middleware: it runs after authentication and the roles check, so nobody unauthenticated
 * gets a body parsed (or a `100 Continue` inviting it), and it can read the route's metadata.
 * Errors (malformed, too large, too deep) reach the exception filter like any other.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly readText: (
    request: IncomingMessage,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;

  constructor(
    private readonly reflector: Reflector,
    limit: number,
  ) {
    this.readText = text({ limit, type: (request) => isJsonMediaType(request.headers['content-type']) });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const streamed = this.reflector.getAllAndOverride<boolean>(STREAMED_BODY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage & { body?: unknown }>();
    // A host application may have parsed the body already.
    if (streamed || request.body !== undefined || !isJsonMediaType(request.headers['content-type']))
      return next.handle();
    return from(this.parse(request, http.getResponse<ServerResponse>())).pipe(switchMap(() => next.handle()));
  }

  private async parse(
    request: IncomingMessage & { body?: unknown },
    response: ServerResponse,
  ): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.readText(request, response, (error?: unknown) => {
        if (error === undefined || error === null) resolve();
        else reject(error instanceof Error ? error : new Error('Reading the request body failed'));
      }),
    );
    // No body at all leaves `body` undefined; an empty one is `{}`, as Express's JSON parser has it.
    if (typeof request.body === 'string')
      request.body =
        request.body === ''
          ? {}
          : parseJsonText(request.body, 'The request body', errorResourceForPath(request.url ?? '/'));
  }
}
