export * from './storage-driver';
export * from './storage.errors';
export * from './assert-storage-key';
export * from './stream-meter';
