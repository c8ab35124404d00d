import { ChannelListener } from '@depot/database';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The channel the `applications` table's trigger notifies on (migration `NotifyApplicationChanges`). */
export const APPLICATION_CHANGES_CHANNEL = 'depot_application_changes';

/** One application row changed (inserted, updated or deleted); its context path before and after. */
export interface ApplicationChange {
  id: string;
  contextPaths: string[];
}

/** `'all'`: notifications may have been missed (the listening connection was lost); forget everything. */
export type ApplicationChangeListener = (change: ApplicationChange | 'all') => void;

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
  private readonly listener: ChannelListener;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.listener = new ChannelListener(
      dataSource,
      APPLICATION_CHANGES_CHANNEL,
      {
        notification: (payload) => this.emit(parseChange(payload)),
        // Whatever changed before LISTEN took effect, or while the connection was down, is unknown.
        listening: () => this.emit('all'),
        lost: () => this.emit('all'),
      },
      this.logger,
    );
  }

  /** Notifications reach this process: cached state may be used. */
  get live(): boolean {
    return this.listener.live;
  }

  onApplicationBootstrap(): void {
    // A failed first attempt is logged and retried; until then nothing is cached.
    this.listener.start().catch(() => undefined);
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
    await this.listener.stop();
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
