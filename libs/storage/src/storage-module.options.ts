import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MinioStorageOptions } from './minio-storage.driver';

/** Filesystem driver: blobs under `root` (the server uses `DATA_DIR/blobs`). */
export interface FilesystemStorageModuleOptions {
  driver: 'filesystem';
  root: string;
}

/** MinIO / S3 driver: one bucket, created in `region` if missing. */
export interface MinioStorageModuleOptions extends MinioStorageOptions {
  driver: 'minio';
}

/** Which driver `StorageModule` provides under `STORAGE_DRIVER`, and its settings. */
export type StorageModuleOptions = FilesystemStorageModuleOptions | MinioStorageModuleOptions;

export const {
  ConfigurableModuleClass: ConfigurableStorageModule,
  MODULE_OPTIONS_TOKEN: STORAGE_MODULE_OPTIONS,
  OPTIONS_TYPE: STORAGE_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STORAGE_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StorageModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default: binaries and applications inject `STORAGE_DRIVER` without importing the module.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
