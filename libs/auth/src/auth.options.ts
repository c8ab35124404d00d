import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `AuthModule.forRoot` / `forRootAsync`. */
export interface AuthModuleOptions {
  /** The first tenant and its administrator, created on first start. No password: generated and logged once. */
  bootstrap: { tenant: string; user: string; password?: string };
  /** How long verified credentials are cached (ms); 0 disables the cache. */
  cacheTtlMs: number;
  /** Failed logins for one user from one address before 429. */
  maxFailures: number;
  /** Failed logins from one address, whatever the user names, before that address gets 429. */
  maxFailuresPerAddress: number;
  /** How long the 429 lasts, and the window failures are counted in (seconds). */
  lockoutSeconds: number;
  /** Worker threads that hash passwords (off libuv's threadpool, which file I/O needs). */
  hashThreads: number;
  /** Hashes that may wait for a thread; beyond that a login is answered 503 at once. */
  hashQueueLength: number;
  /**
   * Session tokens (`POST /tenant/oauth[/token]`): the HS256 key every process must share (see
   * `resolveSessionSecret`) and their fixed lifetime in seconds.
   */
  sessions: { secret: Buffer; ttlSeconds: number };
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>().setClassMethodName('forRoot').build();
