import type { Logger } from '@nestjs/common';
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

/** What a {@link ChannelListener} tells its owner. */
export interface ChannelEvents {
  /** A notification on the channel. */
  notification(payload: string | undefined): void;
  /** LISTEN took effect (at start and after every reconnect); what was notified before is unknown. */
  listening(): void;
  /** The connection was lost: notifications may be missed until `listening` comes again. */
  lost(): void;
}

const FIRST_RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 30_000;

/**
 * LISTENs on one PostgreSQL channel over a dedicated connection of its own, with the pool's
 * settings (outside the pool: a pool waits for checked-out clients when it ends, and this one never
 * comes back). After a failure it reconnects with a growing delay; {@link live} says whether
 * notifications reach this process now.
 */
export class ChannelListener {
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = FIRST_RECONNECT_MS;
  private stopped = false;
  private listening = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly events: ChannelEvents,
    private readonly logger: Logger,
  ) {}

  get live(): boolean {
    return this.listening;
  }

  /** Connects; rejects if this first attempt fails (it goes on trying in the background all the same). */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting;
    await this.disconnect();
  }

  private connect(): Promise<void> {
    const attempt = this.listen().then(
      () => {
        this.reconnectDelay = FIRST_RECONNECT_MS;
      },
      (error: unknown) => {
        this.logger.warn(`Cannot listen on ${this.channel}: ${String(error)}`);
        void this.disconnect();
        this.scheduleReconnect();
        throw error;
      },
    );
    const tracked: Promise<void> = attempt
      .catch(() => undefined)
      .finally(() => {
        if (this.connecting === tracked) this.connecting = undefined;
      });
    this.connecting = tracked;
    return attempt;
  }

  private async listen(): Promise<void> {
    const driver = this.dataSource.driver as unknown as PostgresDriverInternals;
    if (!driver.postgres || !driver.master?.options)
      throw new Error('the data source is not a PostgreSQL pool');
    const client = new driver.postgres.Client({
      ...driver.master.options,
      application_name: `depot-listen-${this.channel}`,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.events.notification(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    if (this.client !== client || this.stopped) return;
    this.events.listening();
    this.listening = true;
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.listening = false;
    this.client = undefined;
    this.events.lost();
    if (this.stopped) return;
    this.logger.warn(`Lost the listener on ${this.channel}: ${error.message}; reconnecting`);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect().catch(() => undefined);
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
}
