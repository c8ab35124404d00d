import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AuthService } from './auth.service';

const CHANNEL = 'depot_credentials_invalidated';
const RECONNECT_DELAY_MS = 1000;

/** The part of a pg client we use for LISTEN. */
interface ListeningClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', listener: () => void): void;
  removeAllListeners(): void;
}

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
  private client?: ListeningClient;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly auth: AuthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.dropConnection();
  }

  /** Forgets the user's cached logins here and tells the other processes to do the same. */
  async forgetUser(tenantId: string, userName: string): Promise<void> {
    this.auth.forgetUser(tenantId, userName);
    await this.dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify([tenantId, userName])]);
  }

  /**
   * Its own connection, outside the data source's pool: a pool waits for checked-out clients when
   * it ends, and this one never comes back.
   */
  private async listen(reconnect = false): Promise<void> {
    const driver = this.dataSource.driver as PostgresDriver;
    const options = driver.options;
    const Client = (driver.postgres as { Client: new (config: object) => ListeningClient }).Client;
    const client = new Client({
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: typeof options.password === 'string' ? options.password : undefined,
      database: options.database,
      ssl: options.ssl,
    });
    client.on('error', () => this.onConnectionLost());
    client.on('end', () => this.onConnectionLost());
    client.on('notification', (message) => this.onNotification(message.channel, message.payload));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (!reconnect) return;
    // Logins cached while the listener was down may have missed an announcement: drop them again.
    this.auth.forgetAll();
    this.logger.log('Credentials-invalidation listener reconnected');
  }

  private onNotification(channel: string, payload: string | undefined): void {
    if (channel !== CHANNEL || !payload) return;
    try {
      const [tenantId, userName] = JSON.parse(payload) as [string, string];
      this.auth.forgetUser(tenantId, userName);
    } catch {
      this.logger.warn(`Ignoring a malformed invalidation: ${payload.slice(0, 100)}`);
    }
  }

  private onConnectionLost(): void {
    if (this.stopped || !this.client) return;
    this.dropConnection();
    this.auth.forgetAll();
    this.logger.warn('Lost the credentials-invalidation listener; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.listen(true).catch((error: unknown) => {
        this.logger.warn(
          `Reconnecting the listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        this.onConnectionLost();
      });
    }, RECONNECT_DELAY_MS);
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = undefined;
    client?.removeAllListeners();
    client?.on('error', () => undefined);
    void client?.end().catch(() => undefined);
  }
}
