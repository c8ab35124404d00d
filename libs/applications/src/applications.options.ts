import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `ApplicationsModule.forRoot`/`forRootAsync`. */
export interface ApplicationsModuleOptions {
  /** Largest archive upload in bytes (`MAX_ARCHIVE_SIZE`). */
  maxArchiveSize: number;
  /** Most entries an archive may hold (`MAX_ARCHIVE_ENTRIES`). */
  maxArchiveEntries: number;
  /** Most bytes an archive may inflate to (`MAX_ARCHIVE_INFLATED`). */
  maxArchiveInflated: number;
  /** Archives kept per application; older inactive ones are deleted after each new one (`ARCHIVE_RETENTION`). */
  archiveRetention: number;
  /** Versions an application may hold (`APPLICATION_VERSIONS_LIMIT`, default 20); the next POST answers 409. */
  versionsLimit?: number;
  /** Directory for this process's extraction cache of served archives (e.g. `DATA_DIR/cache/apps`). */
  extractionCacheDir: string;
  /** Archives kept extracted per process (default 32); the least recently served is dropped first. */
  extractionCacheSize?: number;
  /**
   * The tenant whose `ROLE_TENANT_MANAGEMENT_ADMIN`s may subscribe other tenants to applications
   * (the parent of every other tenant); unset: a tenant can only subscribe itself.
   */
  managementTenant?: string;
}

export const {
  ConfigurableModuleClass: ConfigurableApplicationsModule,
  MODULE_OPTIONS_TOKEN: APPLICATIONS_OPTIONS,
} = new ConfigurableModuleBuilder<ApplicationsModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default: the plugins module injects ApplicationsService and ApplicationArchivesService
  // without importing a second configured instance.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
