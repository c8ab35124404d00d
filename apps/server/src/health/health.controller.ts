import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { Public } from '@depot/common';
import type { Response } from 'express';
import { HealthReport, HealthService } from './health.service';

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when every component is up, 503 otherwise; load balancers only look at the status. */
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.check();
    if (report.status !== 'UP') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  /** Liveness: the process answers. Touches nothing else, so a database outage causes no restarts. */
  @Public()
  @Get('live')
  live(): { status: 'UP' } {
    return { status: 'UP' };
  }

  /** Readiness: the database and the storage are reachable; 503 naming what failed otherwise. */
  @Public()
  @Get('ready')
  ready(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    return this.check(response);
  }
}
