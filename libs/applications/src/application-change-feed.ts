import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The part of `pg`'s Client used here (`pg` ships no types; TypeORM's driver loaded it). */
interface Client {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
}
type ClientConfig = Record<string, unknown>;
interface PostgresDriverInternals {
  postgres?: { Client: new (config: ClientConfig) => Client };
  master?: { options?: ClientConfig };
}

/** The channel the `applications` table's trigger notifies on (migration `NotifyApplicationChanges`). */
export const APPLICATION_CHANGES_CHANNEL = 'depot_application_changes';

/** One application row changed (inserted, updated or deleted); its context path before and after. */
export interface ApplicationChange {
  id: string;
  contextPaths: string[];
}

/** `'all'`: notifications may have been missed (the listening connection was lost); forget everything. */
export type ApplicationChangeListener = (change: ApplicationChange | 'all') => void;

const FIRST_RECONNECT_MS = 500;
const MAX_RECONNECT_MS = 30_000;

/**
 * Tells this process's caches when an application changed, in this process or any other one on the
 * same database. A trigger on `applications` notifies {@link APPLICATION_CHANGES_CHANNEL} at every
 * commit that touches a row (foreign-key `SET NULL` of the active version included); one dedicated
 * connection per process listens. Changes made here are also announced at once by
 * {@link ApplicationChangeFeed.announce}, before the request that made them answers (read your own
 * writes). While the listening connection is down, {@link ApplicationChangeFeed.live} is false and
 * caches must not trust what they hold; it reconnects with a growing delay.
 */
@Injectable()
export class ApplicationChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApplicationChangeFeed.name);
  private readonly listeners = new Set<ApplicationChangeListener>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = FIRST_RECONNECT_MS;
  private stopped = false;
  private listening = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Notifications reach this process: cached state may be used. */
  get live(): boolean {
    return this.listening;
  }

  onApplicationBootstrap(): void {
    this.connect();
  }

  subscribe(listener: ApplicationChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A change this process just committed (the trigger's notification follows; both are harmless). */
  announce(change: ApplicationChange): void {
    this.emit(change);
  }

  /** {@link announce} for one application as it is now (its current context path). */
  announceApplication(application: { id: string; contextPath: string | null }): void {
    this.announce({
      id: application.id,
      contextPaths: application.contextPath === null ? [] : [application.contextPath],
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    await this.disconnect();
  }

  private connect(): void {
    this.connecting = this.listen()
      .then(() => {
        this.reconnectDelay = FIRST_RECONNECT_MS;
      })
      .catch((error: unknown) => {
        this.logger.warn(`Cannot listen for application changes: ${String(error)}`);
        void this.disconnect();
        this.scheduleReconnect();
      })
      .finally(() => {
        this.connecting = undefined;
      });
  }

  private async listen(): Promise<void> {
    const driver = this.dataSource.driver as unknown as PostgresDriverInternals;
    if (!driver.postgres || !driver.master?.options)
      throw new Error('the data source is not a PostgreSQL pool');
    const client = new driver.postgres.Client({
      ...driver.master.options,
      application_name: 'depot-application-changes',
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === APPLICATION_CHANGES_CHANNEL) this.emit(parseChange(message.payload));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${APPLICATION_CHANGES_CHANNEL}`);
    if (this.client !== client || this.stopped) return;
    // Whatever changed before LISTEN took effect is unknown: start from nothing.
    this.emit('all');
    this.listening = true;
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.listening = false;
    this.client = undefined;
    this.emit('all');
    if (this.stopped) return;
    this.logger.warn(`Lost the application-change listener: ${error.message}`);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS);
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private emit(change: ApplicationChange | 'all'): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** The trigger's payload: `{"id":..., "contextPaths":[...]}`; anything else means "forget everything". */
function parseChange(payload: string | undefined): ApplicationChange | 'all' {
  try {
    const parsed = JSON.parse(payload ?? '') as { id?: unknown; contextPaths?: unknown };
    if (typeof parsed.id !== 'string' && typeof parsed.id !== 'number') return 'all';
    const contextPaths = Array.isArray(parsed.contextPaths)
      ? parsed.contextPaths.filter((value): value is string => typeof value === 'string')
      : [];
    return { id: String(parsed.id), contextPaths };
  } catch {
    return 'all';
  }
}
