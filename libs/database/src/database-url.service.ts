import { Inject, Injectable } from '@nestjs/common';
import { EmbeddedPostgresLauncher } from './embedded-postgres.launcher';
import { DATABASE_OPTIONS, type DatabaseModuleOptions } from './database.options';

/** Resolves the connection URL: the external one, or that of the embedded cluster it starts. */
@Injectable()
export class DatabaseUrlService {
  private launcher?: EmbeddedPostgresLauncher;

  constructor(@Inject(DATABASE_OPTIONS) private readonly options: DatabaseModuleOptions) {}

  async resolveUrl(): Promise<string> {
    if (this.options.databaseUrl) return this.options.databaseUrl;
    this.launcher = new EmbeddedPostgresLauncher(this.options.embeddedDir);
    return this.launcher.start();
  }

  get embedded(): boolean {
    return this.launcher !== undefined;
  }

  /** Stops the embedded cluster, if one was started. */
  async stopEmbedded(): Promise<void> {
    await this.launcher?.stop();
  }
}
