import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { DEPOT_CONFIG, type DepotConfig } from '../config/depot-config';
import { InFlightRequests } from './in-flight-requests';

/** After cutting connections, how long aborted handlers get to clean up (delete their blobs). */
const ABORT_CLEANUP_MS = 10_000;
/** The listener's own close callback; never worth hanging the shutdown for. */
const CLOSE_WAIT_MS = 2000;

/**
 * Drains HTTP before anything else shuts down (the database and storage close in
 * `onApplicationShutdown`, after this): stop accepting, let in-flight requests finish within
 * `SHUTDOWN_TIMEOUT_MS`, then cut the rest and wait for their handlers, which discard what an
 * aborted upload wrote, so no row or blob is left half-done.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulShutdown.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly inFlight: InFlightRequests,
    @Inject(DEPOT_CONFIG) private readonly config: DepotConfig,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    this.inFlight.startDraining();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timeout = this.config.shutdownTimeoutMs;
    if (this.inFlight.count > 0)
      this.logger.log(
        `${signal ?? 'Shutdown'}: no longer accepting; waiting up to ${timeout} ms for ${this.inFlight.count} request(s)`,
      );
    if (!(await this.inFlight.idle(timeout))) {
      this.logger.warn(`Aborting ${this.inFlight.count} request(s) still running after ${timeout} ms`);
      server.closeAllConnections();
      if (!(await this.inFlight.idle(ABORT_CLEANUP_MS)))
        this.logger.error(`${this.inFlight.runningHandlers} aborted request(s) did not finish cleaning up`);
    }
    // Keep-alive connections that went idle after the first pass.
    server.closeAllConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
}
