import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `ConsoleModule.forRoot`/`forRootAsync`. */
export interface ConsoleModuleOptions {
  /** The tenant the login page offers first (the bootstrap tenant, `BOOTSTRAP_TENANT`). */
  defaultTenant: string;
  /** The folder of the console's files; defaults to the `web/` folder shipped beside this module. */
  webRoot?: string;
}

export const { ConfigurableModuleClass: ConfigurableConsoleModule, MODULE_OPTIONS_TOKEN: CONSOLE_OPTIONS } =
  new ConfigurableModuleBuilder<ConsoleModuleOptions>().setClassMethodName('forRoot').build();
