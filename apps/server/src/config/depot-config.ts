import type { LogLevel } from '@nestjs/common';

/** Storage driver settings, as `StorageModule.forRoot` takes them. */
export type StorageConfig =
  | { driver: 'filesystem'; root: string }
  | {
      driver: 'minio';
      endPoint: string;
      port: number;
      useSSL: boolean;
      accessKey: string;
      secretKey: string;
      bucket: string;
      region: string;
    };

/** The validated environment (see the configuration table in README.md / DESIGN.md). */
export interface DepotConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: the embedded PostgreSQL in `DATA_DIR/postgres`. */
  databaseUrl?: string;
  storage: StorageConfig;
  bootstrap: { tenant: string; user: string; password?: string };
  limits: {
    maxBinarySize: number;
    maxArchiveSize: number;
    maxArchiveEntries: number;
    maxArchiveInflated: number;
    archiveRetention: number;
    maxJsonBody: number;
  };
  auth: {
    /** How long verified credentials are cached, in ms. */
    cacheTtlMs: number;
    /** Failed logins for one user from one address before 429. */
    maxFailures: number;
    /** How long the 429 lasts, in seconds. */
    lockoutSeconds: number;
  };
  /** Removal of unreferenced blobs and temp files older than `graceMs`, every `intervalMs`. */
  sweeper: { graceMs: number; intervalMs: number };
  /** `scheme://host[:port][/prefix]` without a trailing slash: every absolute URL uses it when set. */
  publicUrl?: string;
  /** How long a client may send nothing while its request is awaited, or read nothing of a response. */
  requestIdleTimeoutMs: number;
  /** Express `trust proxy` value; `false` ignores X-Forwarded-*. */
  trustProxy: boolean | number | string;
  logLevels: LogLevel[];
  /** On SIGTERM, how long in-flight requests may run before their connections are cut. */
  shutdownTimeoutMs: number;
}

export const DEPOT_CONFIG = Symbol('DEPOT_CONFIG');
