import type { ApplicationChange, ApplicationChangeFeed } from '../application-change-feed';

/** Which archive a `/apps/...` URL serves, and how long its bytes stay the same. */
export interface HostedArchive {
  applicationId: string;
  tenantId: string;
  contextPath: string;
  archiveId: string;
  /** The archive's creation time: `Last-Modified` of its files. */
  created: Date;
  /** The URL named an exact version (`@1.2.3`), whose bytes never change while it exists. */
  pinned: boolean;
}

interface Entry {
  value: Promise<HostedArchive>;
  /** Known once `value` resolved: changes of this application drop the entry. */
  applicationId?: string;
  contextPath: string;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * This process's answers to "which archive does this URL serve", so a hosted file costs no database
 * round trip. Dropped by the application change feed (an application row changed here or in any
 * other process: its id and both context paths), bypassed while the feed is not live (a missed
 * notification must not keep a stale answer), and kept at most `ttlMs` in any case. Failed
 * resolutions (404s) are not kept.
 */
export class HostedAppResolutionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly feed: ApplicationChangeFeed,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    feed.subscribe((change) => this.forget(change));
  }

  /** `key` names the URL's scope, context path and selector; `contextPath` is also part of it. */
  resolve(key: string, contextPath: string, load: () => Promise<HostedArchive>): Promise<HostedArchive> {
    if (this.ttlMs <= 0 || !this.feed.live) return load();
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const entry: Entry = { value: load(), contextPath, expiresAt: now + this.ttlMs };
    this.entries.set(key, entry);
    entry.value.then(
      (archive) => (entry.applicationId = archive.applicationId),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  private forget(change: ApplicationChange | 'all'): void {
    if (change === 'all') return this.entries.clear();
    for (const [key, entry] of this.entries) {
      // Still loading: it may have read the row before this change committed.
      if (
        entry.applicationId === undefined ||
        entry.applicationId === change.id ||
        change.contextPaths.includes(entry.contextPath)
      )
        this.entries.delete(key);
    }
  }
}
