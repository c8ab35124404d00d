/** How an upload ended: stored, refused for bad input or limits (4xx), aborted by the client, or failed. */
export type UploadOutcome = 'created' | 'rejected' | 'aborted' | 'failed';

/**
 * The counters feature modules report to. Injected `@Optional()`: Depot's server provides a
 * Prometheus implementation; a host that embeds the modules may provide its own, or none.
 */
export abstract class DepotMetrics {
  /** Bytes written to the blob store for binaries (uploads, replaces, archives). */
  abstract bytesUploaded(bytes: number): void;
  /** Bytes of binary content sent to clients. */
  abstract bytesDownloaded(bytes: number): void;
  abstract uploadFinished(outcome: UploadOutcome): void;
  /** A new application archive; `kind` is the changing module's name for what built it (`upload`, ...). */
  abstract archiveChanged(kind: string): void;
  /** Blobs and temp files removed by the sweeper in one pass. */
  abstract sweeperDeleted(count: number): void;
}
