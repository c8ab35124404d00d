import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import {
  ComposedInterceptor,
  CumulocityExceptionFilter,
  CumulocityResponseInterceptor,
  JsonBodyInterceptor,
} from '@depot/common';
import { ApplicationPluginsModule } from '@depot/application-plugins';
import { ApplicationsModule } from '@depot/applications';
import { AuthenticationGuard, AuthModule, resolveSessionSecret } from '@depot/auth';
import { ConsoleModule } from '@depot/console';
import { DatabaseModule } from '@depot/database';
import { InventoryBinariesModule } from '@depot/inventory-binaries';
import { StorageModule } from '@depot/storage';
import * as path from 'node:path';
import { DEPOT_CONFIG, type DepotConfig } from './config/depot-config';
import { DEPOT_MIGRATIONS } from './depot-migrations';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { HandlerTrackingInterceptor } from './observability/handler-tracking.interceptor';
import { ObservabilityModule } from './observability/observability.module';

@Global()
@Module({})
class DepotConfigModule {
  static forRoot(config: DepotConfig): DynamicModule {
    return {
      module: DepotConfigModule,
      providers: [{ provide: DEPOT_CONFIG, useValue: config }],
      exports: [DEPOT_CONFIG],
    };
  }
}

/** The composition root: every capability module, wired from the validated config. */
@Module({})
export class AppModule {
  static forRoot(config: DepotConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DepotConfigModule.forRoot(config),
        ObservabilityModule.forRoot(config),
        DatabaseModule.forRoot({
          databaseUrl: config.databaseUrl,
          embeddedDir: path.join(config.dataDir, 'postgres'),
          migrations: DEPOT_MIGRATIONS,
        }),
        AuthModule.forRoot({
          bootstrap: config.bootstrap,
          ...config.auth,
          sessions: {
            secret: resolveSessionSecret(config.sessions.secret, config.dataDir),
            ttlSeconds: config.sessions.ttlSeconds,
          },
        }),
        // Feature modules: one line each, configured from `config`.
        StorageModule.forRoot(config.storage),
        InventoryBinariesModule.forRoot({
          maxBinarySize: config.limits.maxBinarySize,
          tenantStorageQuota: config.limits.tenantStorageQuota,
          managementTenant: config.bootstrap.tenant,
          sweeper: config.sweeper,
        }),
        ApplicationsModule.forRoot({
          maxArchiveSize: config.limits.maxArchiveSize,
          maxArchiveEntries: config.limits.maxArchiveEntries,
          maxArchiveInflated: config.limits.maxArchiveInflated,
          archiveRetention: config.limits.archiveRetention,
          versionsLimit: config.limits.versionsLimit,
          extractionCacheDir: path.join(config.dataDir, 'cache', 'apps'),
          managementTenant: config.bootstrap.tenant,
        }),
        ApplicationPluginsModule.forRoot({ maxArchiveSize: config.limits.maxArchiveSize }),
        ConsoleModule.forRoot({ defaultTenant: config.bootstrap.tenant }),
      ],
      controllers: [HealthController],
      providers: [
        HealthService,
        { provide: APP_FILTER, useClass: CumulocityExceptionFilter },
        {
          // Every route's interceptors as one (see ComposedInterceptor), outermost first: Cumulocity's
          // response conventions, the in-flight count, the JSON body (after the guards, before the handler).
          provide: APP_INTERCEPTOR,
          useFactory: (reflector: Reflector, tracking: HandlerTrackingInterceptor) =>
            new ComposedInterceptor([
              new CumulocityResponseInterceptor(reflector),
              tracking,
              new JsonBodyInterceptor(reflector, config.limits.maxJsonBody),
            ]),
          inject: [Reflector, HandlerTrackingInterceptor],
        },
        // Authenticate first; the feature modules' RolesGuardModule then denies by default (routes
        // declare @Roles, @Authenticated or @Public).
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
      ],
    };
  }
}
