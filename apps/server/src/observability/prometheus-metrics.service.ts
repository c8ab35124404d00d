import { Injectable } from '@nestjs/common';
import { DepotMetrics, type UploadOutcome } from '@depot/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Depot's metrics in Prometheus form. Each instance has its own registry (not prom-client's global
 * one), so several apps in one process (tests, a host embedding Depot) never clash.
 */
@Injectable()
export class PrometheusMetrics extends DepotMetrics {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'depot_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly uploadedBytes = new Counter({
    name: 'depot_binary_uploaded_bytes_total',
    help: 'Bytes written to the blob store for binaries (uploads, replaces, application archives)',
    registers: [this.registry],
  });
  private readonly downloadedBytes = new Counter({
    name: 'depot_binary_downloaded_bytes_total',
    help: 'Bytes of binary content sent to clients',
    registers: [this.registry],
  });
  private readonly uploads = new Counter({
    name: 'depot_binary_uploads_total',
    help: 'Binary uploads (POST) and replaces (PUT) by outcome: created, rejected (4xx), aborted (client went away), failed',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly archiveChanges = new Counter({
    name: 'depot_application_archive_changes_total',
    help: 'New application archives by kind: upload, addPlugin, replacePlugin, removePlugin, writeFiles',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly sweeperDeletions = new Counter({
    name: 'depot_sweeper_deleted_total',
    help: 'Unreferenced blobs and temp files removed by the sweeper',
    registers: [this.registry],
  });

  constructor() {
    super();
    collectDefaultMetrics({ register: this.registry });
    // Make the series exist from the start, so rates and alerts see zeros rather than gaps.
    for (const outcome of ['created', 'rejected', 'aborted', 'failed'] as const)
      this.uploads.inc({ outcome }, 0);
  }

  observeRequest(method: string, route: string, status: string, seconds: number): void {
    this.requestDuration.observe({ method, route, status }, seconds);
  }

  bytesUploaded(bytes: number): void {
    this.uploadedBytes.inc(bytes);
  }

  bytesDownloaded(bytes: number): void {
    this.downloadedBytes.inc(bytes);
  }

  uploadFinished(outcome: UploadOutcome): void {
    this.uploads.inc({ outcome });
  }

  archiveChanged(kind: string): void {
    this.archiveChanges.inc({ kind });
  }

  sweeperDeleted(count: number): void {
    this.sweeperDeletions.inc(count);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
