import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `InventoryBinariesModule.forRoot`/`forRootAsync`. */
export interface InventoryBinariesModuleOptions {
  /** Largest binary in bytes (`MAX_BINARY_SIZE`), enforced while streaming. */
  maxBinarySize: number;
  /**
   * Bytes each tenant may store in binaries (application archives included), counted by their
   * length, unless the tenant has its own quota; unset: unlimited (`TENANT_STORAGE_QUOTA`).
   */
  tenantStorageQuota?: number;
  /** The tenant whose `ROLE_TENANT_MANAGEMENT_ADMIN`s may set other tenants' quotas; unset: nobody can. */
  managementTenant?: string;
  sweeper?: {
    /** Default true. A host with its own clean-up can switch it off. */
    enabled?: boolean;
    /** Only blobs and temp files older than this are removed (ms, default 1 hour). */
    graceMs?: number;
    /** Time between sweeps after the start-up one (ms, default 15 minutes). */
    intervalMs?: number;
  };
}

export const DEFAULT_SWEEP_GRACE_MS = 60 * 60 * 1000;
export const DEFAULT_SWEEP_INTERVAL_MS = 15 * 60 * 1000;

export const {
  ConfigurableModuleClass: ConfigurableInventoryBinariesModule,
  MODULE_OPTIONS_TOKEN: INVENTORY_BINARIES_OPTIONS,
} = new ConfigurableModuleBuilder<InventoryBinariesModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default: the applications module stores archives with BinariesService without importing
  // a second configured instance (which would register the routes twice).
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
