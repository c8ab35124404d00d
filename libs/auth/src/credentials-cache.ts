import { createHash } from 'node:crypto';
import type { Principal } from '@depot/common';

const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  userKey: string;
  expiresAt: number;
}

export function userKey(tenantId: string, userName: string): string {
  return `${tenantId}\u0000${userName}`;
}

/**
 * Verified credentials for a short while, so a request does not pay a password hash. Keyed by a
 * SHA-256 of the whole Authorization header (never the password itself); only successful logins are
 * stored, and a password change, role change or deletion drops the user's entries at once.
 */
export class CredentialsCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation; a login verified across one must not be cached. */
  private generationCounter = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(authorization: string): Principal | undefined {
    const key = credentialsKey(authorization);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Take before reading the user; pass to `set`. */
  get generation(): number {
    return this.generationCounter;
  }

  /**
   * Caches a verified login, unless an invalidation happened since `generation` was taken; never
   * beyond `notAfter` (ms since the epoch: a session token's expiry).
   */
  set(
    authorization: string,
    principal: Principal,
    generation = this.generationCounter,
    notAfter = Number.POSITIVE_INFINITY,
  ): void {
    if (this.ttlMs <= 0 || generation !== this.generationCounter) return;
    if (this.entries.size >= MAX_ENTRIES) this.prune();
    this.entries.set(credentialsKey(authorization), {
      principal,
      userKey: userKey(principal.tenantId, principal.userName),
      expiresAt: Math.min(this.now() + this.ttlMs, notAfter),
    });
  }

  invalidateUser(tenantId: string, userName: string): void {
    this.generationCounter++;
    const target = userKey(tenantId, userName);
    for (const [key, entry] of this.entries) if (entry.userKey === target) this.entries.delete(key);
  }

  invalidateTenant(tenantId: string): void {
    this.generationCounter++;
    for (const [key, entry] of this.entries)
      if (entry.principal.tenantId === tenantId) this.entries.delete(key);
  }

  clear(): void {
    this.generationCounter++;
    this.entries.clear();
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Still full: drop the oldest half (Map keeps insertion order).
    if (this.entries.size >= MAX_ENTRIES) {
      let drop = this.entries.size / 2;
      for (const key of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(key);
      }
    }
  }
}

/** A SHA-256 of the whole Authorization header: identifies a credential without holding the password. */
export function credentialsKey(authorization: string): string {
  return createHash('sha256').update(authorization).digest('base64');
}
