import { DynamicModule, Global, Module } from '@nestjs/common';
import { DepotMetrics } from '@depot/common';
import { LoggerModule } from 'nestjs-pino';
import type { DepotConfig } from '../config/depot-config';
import { buildLoggerParams } from './build-logger-params';
import { GracefulShutdown } from './graceful-shutdown.service';
import { HandlerTrackingInterceptor } from './handler-tracking.interceptor';
import { HttpMetrics } from './http-metrics';
import { InFlightRequests } from './in-flight-requests';
import { MetricsController } from './metrics.controller';
import { PrometheusMetrics } from './prometheus-metrics.service';

/**
 * Running Depot as a service: JSON logs (pino), `/metrics`, in-flight tracking and graceful
 * shutdown. Global so feature modules can inject `DepotMetrics` without importing this.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(config: DepotConfig): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(buildLoggerParams(config.logLevels))],
      controllers: [MetricsController],
      providers: [
        PrometheusMetrics,
        { provide: DepotMetrics, useExisting: PrometheusMetrics },
        HttpMetrics,
        InFlightRequests,
        GracefulShutdown,
        HandlerTrackingInterceptor,
      ],
      exports: [DepotMetrics, PrometheusMetrics, HttpMetrics, InFlightRequests, HandlerTrackingInterceptor],
    };
  }
}
