import type { StorageModuleOptions } from '@depot/storage';
import type { LogLevel } from '@nestjs/common';

/** Storage driver settings, as `StorageModule.forRoot` takes them. */
export type StorageConfig = StorageModuleOptions;

/** The validated environment (every variable is described in docs/configuration.md). */
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
    /** Default storage quota per tenant in bytes; undefined: unlimited. */
    tenantStorageQuota?: number;
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
    /** Failed logins from one address, across user names, before 429. */
    maxFailuresPerAddress: number;
    /** How long the 429 lasts (and the window failures are counted in), in seconds. */
    lockoutSeconds: number;
    /** Worker threads hashing passwords. */
    hashThreads: number;
    /** Hashes waiting for a thread before logins get 503. */
    hashQueueLength: number;
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
