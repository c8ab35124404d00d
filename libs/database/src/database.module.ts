import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DATABASE_OPTIONS, type DatabaseModuleOptions } from './database.options';
import { DatabaseUrlService } from './database-url.service';
import { runMigrationsLocked } from './run-migrations-locked';
import { withSessionDefaults } from './with-session-defaults';

@Module({})
class DatabaseOptionsModule {}

/**
 * Depot's own metadata store: TypeORM on PostgreSQL (external or embedded), entities registered by
 * each library with `TypeOrmModule.forFeature`, schema only through migrations run at start-up.
 * A host platform that embeds Depot's modules brings its own `TypeOrmModule` instead.
 */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly urls: DatabaseUrlService,
  ) {}

  /** The embedded cluster stops after the data source closed, so no connection is cut mid-query. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.urls.embedded) return;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.urls.stopEmbedded();
  }

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    const optionsModule: DynamicModule = {
      module: DatabaseOptionsModule,
      providers: [{ provide: DATABASE_OPTIONS, useValue: options }, DatabaseUrlService],
      exports: [DATABASE_OPTIONS, DatabaseUrlService],
    };
    return {
      module: DatabaseModule,
      imports: [
        optionsModule,
        TypeOrmModule.forRootAsync({
          imports: [optionsModule],
          inject: [DatabaseUrlService],
          useFactory: async (urls: DatabaseUrlService) => ({
            type: 'postgres' as const,
            url: withSessionDefaults(await urls.resolveUrl()),
            autoLoadEntities: true,
            migrations: options.migrations,
            // Migrations run in dataSourceFactory under a lock; never synchronize.
            migrationsRun: false,
            synchronize: false,
            extra: { max: options.poolSize ?? 10 },
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('DatabaseModule: no data source options');
            const dataSource = await new DataSource(dataSourceOptions).initialize();
            await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
