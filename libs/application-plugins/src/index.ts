export * from './application-plugins.module';
export * from './application-plugins.options';
export * from './application-versioning.service';
export * from './archive-change';
export * from './assert-plugin-name';
export * from './list-plugins';
