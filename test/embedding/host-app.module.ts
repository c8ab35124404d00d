import { Global, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationPluginsModule } from '@depot/application-plugins';
import { APPLICATIONS_MIGRATIONS, ApplicationsModule } from '@depot/applications';
import { CumulocityExceptionFilter, CumulocityResponseInterceptor } from '@depot/common';
import { INVENTORY_MIGRATIONS } from '@depot/inventory';
import { INVENTORY_BINARIES_MIGRATIONS, InventoryBinariesModule } from '@depot/inventory-binaries';
import { StorageModule } from '@depot/storage';
import { HostAuthMiddleware } from './host-auth.middleware';
import { HostStatusController } from './host-status.controller';

/** The host platform's own configuration (in a real host: its config service). */
export interface HostSettings {
  databaseUrl: string;
  /** Where this host keeps Depot's blobs. */
  blobRoot: string;
  cacheDir: string;
}
export const HOST_SETTINGS = Symbol('HOST_SETTINGS');

const MiB = 1024 * 1024;

@Global()
@Module({})
class HostSettingsModule {
  static forRoot(settings: HostSettings): DynamicModule {
    return {
      module: HostSettingsModule,
      providers: [{ provide: HOST_SETTINGS, useValue: settings }],
      exports: [HOST_SETTINGS],
    };
  }
}

/**
 * An example host Nest application embedding Depot's binaries, applications and plugins modules,
 * each configured through `forRootAsync` from the host's settings. The host brings its own TypeORM
 * data source (running Depot's migrations), its own storage root and its own authentication; it
 * does not use Depot's server, auth or database modules.
 */
@Module({})
export class HostAppModule implements NestModule {
  static forRoot(settings: HostSettings): DynamicModule {
    return {
      module: HostAppModule,
      imports: [
        HostSettingsModule.forRoot(settings),
        TypeOrmModule.forRootAsync({
          inject: [HOST_SETTINGS],
          useFactory: (host: HostSettings) => ({
            type: 'postgres' as const,
            url: host.databaseUrl,
            autoLoadEntities: true,
            migrations: [
              ...INVENTORY_MIGRATIONS,
              ...INVENTORY_BINARIES_MIGRATIONS,
              ...APPLICATIONS_MIGRATIONS,
            ],
            migrationsRun: true,
            synchronize: false,
          }),
        }),
        StorageModule.forRootAsync({
          inject: [HOST_SETTINGS],
          useFactory: (host: HostSettings) => ({ driver: 'filesystem' as const, root: host.blobRoot }),
        }),
        InventoryBinariesModule.forRootAsync({
          useFactory: () => ({ maxBinarySize: 10 * MiB, sweeper: { enabled: false } }),
        }),
        ApplicationsModule.forRootAsync({
          inject: [HOST_SETTINGS],
          useFactory: (host: HostSettings) => ({
            maxArchiveSize: 10 * MiB,
            maxArchiveEntries: 1000,
            maxArchiveInflated: 50 * MiB,
            archiveRetention: 5,
            extractionCacheDir: host.cacheDir,
          }),
        }),
        ApplicationPluginsModule.forRootAsync({ useFactory: () => ({ maxArchiveSize: 10 * MiB }) }),
      ],
      controllers: [HostStatusController],
      providers: [
        // Opt-in: Cumulocity error bodies and response conventions on the embedded routes.
        { provide: APP_FILTER, useClass: CumulocityExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: CumulocityResponseInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HostAuthMiddleware).forRoutes('{*path}');
  }
}
