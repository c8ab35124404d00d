import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  type ForwardReference,
  type Type,
} from '@nestjs/common';

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
  /** Directory for this process's extraction cache of served archives (e.g. `DATA_DIR/cache/apps`). */
  extractionCacheDir: string;
  /** Archives kept extracted per process (default 32); the least recently served is dropped first. */
  extractionCacheSize?: number;
}

type ModuleImport = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

export const {
  ConfigurableModuleClass: ConfigurableApplicationsModule,
  MODULE_OPTIONS_TOKEN: APPLICATIONS_OPTIONS,
} = new ConfigurableModuleBuilder<ApplicationsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras(
    // `binaries`: the host's `InventoryBinariesModule.forRoot(...)` instance (the very same object it
    // imports itself), which provides the BinariesService archives are stored with.
    // `isGlobal` (default true): ApplicationsService and ApplicationArchivesService can be injected
    // anywhere (the plugins module builds on them) without importing a second configured instance.
    { binaries: undefined as ModuleImport | undefined, isGlobal: true },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), ...(extras.binaries ? [extras.binaries] : [])],
    }),
  )
  .build();
