import { ConfigurableModuleBuilder } from '@nestjs/common';

/**
 * Options of `ApplicationPluginsModule.forRoot`/`forRootAsync`. Entry and inflated-size limits and
 * the archive retention come from the applications module, which validates and stores every archive.
 */
export interface ApplicationPluginsModuleOptions {
  /** Largest plugin zip or files request, in bytes (`MAX_ARCHIVE_SIZE`). */
  maxArchiveSize: number;
}

export const {
  ConfigurableModuleClass: ConfigurableApplicationPluginsModule,
  MODULE_OPTIONS_TOKEN: APPLICATION_PLUGINS_OPTIONS,
} = new ConfigurableModuleBuilder<ApplicationPluginsModuleOptions>().setClassMethodName('forRoot').build();
