import { FilesystemStorageDriver } from './filesystem-storage.driver';
import { MinioStorageDriver } from './minio-storage.driver';
import type { StorageDriver } from './storage-driver';
import type { StorageModuleOptions } from './storage-module.options';

/** The one place a driver is chosen. */
export function createStorageDriver(options: StorageModuleOptions): StorageDriver {
  switch (options.driver) {
    case 'filesystem':
      return new FilesystemStorageDriver(options.root);
    case 'minio': {
      const { driver: _driver, ...minio } = options;
      return new MinioStorageDriver(minio);
    }
    default:
      throw new Error(`Unknown storage driver ${JSON.stringify((options as { driver?: unknown }).driver)}`);
  }
}
