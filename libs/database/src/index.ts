export * from './database.options';
export * from './database.module';
export * from './embedded-postgres.launcher';
export * from './database-url.service';
export * from './run-migrations-locked';
export * from './with-session-defaults';
export * from './channel-listener';
