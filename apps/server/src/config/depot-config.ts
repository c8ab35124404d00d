import type { AuthModuleOptions } from '@depot/auth';
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
  bootstrap: AuthModuleOptions['bootstrap'];
  limits: {
    maxBinarySize: number;
    /** Default storage quota per tenant in bytes; undefined: unlimited. */
    tenantStorageQuota?: number;
    maxArchiveSize: number;
    maxArchiveEntries: number;
    maxArchiveInflated: number;
    archiveRetention: number;
    versionsLimit: number;
    maxJsonBody: number;
  };
  /** The login settings, as `AuthModule.forRoot` takes them beside `bootstrap` and `sessions`. */
  auth: Omit<AuthModuleOptions, 'bootstrap' | 'sessions'>;
  /** SESSION_SECRET (unset: a key generated once in DATA_DIR) and SESSION_TTL. */
  sessions: { secret?: string; ttlSeconds: number };
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
