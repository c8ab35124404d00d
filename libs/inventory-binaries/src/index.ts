export * from './binaries.service';
export * from './binary-etag';
export * from './inventory-binaries.options';
export * from './inventory-binaries.module';
export * from './binary-sweeper.service';
export * from './tenant-storage.service';
export * from './migrations';
