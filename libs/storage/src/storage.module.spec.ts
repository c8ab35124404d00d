import { Test } from '@nestjs/testing';
import { tmpdir } from 'node:os';
import { FilesystemStorageDriver } from './filesystem-storage.driver';
import { MinioStorageDriver } from './minio-storage.driver';
import { STORAGE_DRIVER } from './storage-driver';
import { createStorageDriver } from './storage-driver.factory';
import type { StorageModuleOptions } from './storage-module.options';
import { StorageModule } from './storage.module';

const minio: StorageModuleOptions = {
  driver: 'minio',
  endPoint: '127.0.0.1',
  port: 9000,
  useSSL: false,
  accessKey: 'a',
  secretKey: 'b',
  bucket: 'depot',
  region: 'us-east-1',
};

describe('StorageModule', () => {
  it('provides the filesystem driver from forRoot', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forRoot({ driver: 'filesystem', root: tmpdir() })],
    }).compile();
    expect(moduleRef.get(STORAGE_DRIVER)).toBeInstanceOf(FilesystemStorageDriver);
  });

  it('provides the MinIO driver from forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forRootAsync({ useFactory: () => minio })],
    }).compile();
    const driver = moduleRef.get<MinioStorageDriver>(STORAGE_DRIVER);
    expect(driver).toBeInstanceOf(MinioStorageDriver);
    expect(driver.name).toBe('minio');
  });

  it('refuses an unknown driver', () => {
    expect(() => createStorageDriver({ driver: 's3' } as unknown as StorageModuleOptions)).toThrow(
      'Unknown storage driver "s3"',
    );
  });
});
