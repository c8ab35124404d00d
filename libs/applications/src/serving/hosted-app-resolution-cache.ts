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
  /** A background load will replace it. */
  refreshing?: boolean;
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
    if (cached && cached.expiresAt > now) {
      // Near the end of its life: loaded again in the background, so no request waits for it.
      if (cached.expiresAt - now <= this.ttlMs / 5 && !cached.refreshing) {
        cached.refreshing = true;
        this.load(key, contextPath, load, now, cached);
      }
      return cached.value;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    return this.load(key, contextPath, load, now).value;
  }

  /** A new entry for `key`; `replacing`: the entry it replaces once loaded (a background refresh). */
  private load(
    key: string,
    contextPath: string,
    load: () => Promise<HostedArchive>,
    now: number,
    replacing?: Entry,
  ): Entry {
    const entry: Entry = { value: load(), contextPath, expiresAt: now + this.ttlMs };
    if (!replacing) this.entries.set(key, entry);
    entry.value.then(
      (archive) => {
        entry.applicationId = archive.applicationId;
        // Not if a change dropped the old entry meanwhile: this load may have read the old row.
        if (replacing && this.entries.get(key) === replacing) this.entries.set(key, entry);
      },
      () => {
        const current = this.entries.get(key);
        if (current === entry || (replacing && current === replacing)) this.entries.delete(key);
      },
    );
    return entry;
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
