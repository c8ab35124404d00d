export * from './roles';
export * from './principal';
export * from './cumulocity-error';
export * from './media-types';
export * from './assert-safe-path';
export * from './access.decorators';
