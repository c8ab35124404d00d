import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

/** A route's answer and the URL of what it made. */
export interface LocatedAnswer {
  body: unknown;
  location: string;
}

/**
 * Points `Location` at what a route made. By default the handler returns the representation and
 * `Location` is its `self`; a subclass that answers otherwise overrides `answer`.
 */
@Injectable()
export class LocationInterceptor<T = { self?: unknown }> implements NestInterceptor<T> {
  intercept(context: ExecutionContext, next: CallHandler<T>): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((result) => {
        const { body, location } = this.answer(result, request);
        response.setHeader('Location', location);
        return body;
      }),
    );
  }

  protected answer(result: T, _request: Request): LocatedAnswer {
    return { body: result, location: String((result as { self?: unknown }).self) };
  }
}
