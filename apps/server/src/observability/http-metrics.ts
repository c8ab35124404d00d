import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PrometheusMetrics } from './prometheus-metrics.service';

/**
 * Times every request and records it under the route template Express matched
 * (`/inventory/binaries/:id`), never the raw path: ids would explode the label set and leak.
 */
@Injectable()
export class HttpMetrics {
  constructor(private readonly metrics: PrometheusMetrics) {}

  /** Express middleware, installed first thing by `createDepotApp`. */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Ended, not finished: a client that closes as soon as it has the last byte may beat 'finish'.
      const status = response.writableEnded ? String(response.statusCode) : 'aborted';
      this.metrics.observeRequest(request.method, routeTemplateOf(request), status, seconds);
    });
    next();
  };
}

function routeTemplateOf(request: Request): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${request.baseUrl}${route.path}` : 'unmatched';
}
