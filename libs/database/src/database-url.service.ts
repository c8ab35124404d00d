import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EmbeddedPostgresLauncher } from './embedded-postgres.launcher';
import { DATABASE_OPTIONS, type DatabaseModuleOptions } from './database.options';

/**
 * Resolves the connection URL (external, or the embedded cluster it starts) and stops the embedded
 * cluster on shutdown, after closing the data source so no connection is cut mid-query.
 */
@Injectable()
export class DatabaseUrlService implements OnApplicationShutdown {
  private launcher?: EmbeddedPostgresLauncher;

  constructor(
    @Inject(DATABASE_OPTIONS) private readonly options: DatabaseModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  async resolveUrl(): Promise<string> {
    if (this.options.databaseUrl) return this.options.databaseUrl;
    this.launcher = new EmbeddedPostgresLauncher(this.options.embeddedDir);
    return this.launcher.start();
  }

  get embedded(): boolean {
    return this.launcher !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.launcher) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.launcher.stop();
  }
}
