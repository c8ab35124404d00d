import { ChannelListener } from '@depot/database';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthService } from './auth.service';

const CHANNEL = 'depot_credentials_invalidated';

/**
 * Makes a password change, role change or deletion end cached logins in EVERY server process at
 * once, not only in the one that made the change: the change is announced with PostgreSQL
 * NOTIFY and each process LISTENs on a dedicated connection. After a lost connection the whole
 * cache is dropped (notifications may have been missed), the listener reconnects, and the cache is
 * dropped once more when it listens again (logins cached in between may have missed one too).
 */
@Injectable()
export class CredentialsInvalidationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CredentialsInvalidationService.name);
  private readonly listener: ChannelListener;

  constructor(
    private readonly dataSource: DataSource,
    private readonly auth: AuthService,
  ) {
    this.listener = new ChannelListener(
      dataSource,
      CHANNEL,
      {
        notification: (payload) => this.onNotification(payload),
        // Logins cached while nobody listened may have missed an announcement.
        listening: () => this.auth.forgetAll(),
        lost: () => this.auth.forgetAll(),
      },
      this.logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }

  /** Forgets the user's cached logins here and tells the other processes to do the same. */
  async forgetUser(tenantId: string, userName: string): Promise<void> {
    this.auth.forgetUser(tenantId, userName);
    await this.dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify([tenantId, userName])]);
  }

  private onNotification(payload: string | undefined): void {
    if (!payload) return;
    try {
      const [tenantId, userName] = JSON.parse(payload) as [string, string];
      this.auth.forgetUser(tenantId, userName);
    } catch {
      this.logger.warn(`Ignoring a malformed invalidation: ${payload.slice(0, 100)}`);
    }
  }
}
