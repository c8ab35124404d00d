import { Controller, Get, Res } from '@nestjs/common';
import { Public } from '@depot/common';
import type { Response } from 'express';
import { PrometheusMetrics } from './prometheus-metrics.service';

/**
 * Prometheus scrape endpoint. Public on purpose: scrapers rarely carry Cumulocity credentials, and
 * the text holds only aggregates by route template, with no tenant, user or object ids. Keep the
 * port off the internet, or block `/metrics` at the load balancer, where that matters.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: PrometheusMetrics) {}

  @Public()
  @Get()
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    return body;
  }
}
