import { Module } from '@nestjs/common';
import { STORAGE_DRIVER } from './storage-driver';
import { createStorageDriver } from './storage-driver.factory';
import { ConfigurableStorageModule, STORAGE_MODULE_OPTIONS } from './storage-module.options';

/**
 * Provides the configured `StorageDriver` under `STORAGE_DRIVER`:
 * `StorageModule.forRoot({ driver: 'filesystem', root })`, or `forRootAsync({ useFactory, inject })`
 * to build the options from the host's configuration. Global unless `isGlobal: false`.
 */
@Module({
  providers: [{ provide: STORAGE_DRIVER, useFactory: createStorageDriver, inject: [STORAGE_MODULE_OPTIONS] }],
  exports: [STORAGE_DRIVER],
})
export class StorageModule extends ConfigurableStorageModule {}
