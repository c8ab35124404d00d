const MAX_TRACKED = 100_000;

interface Attempts {
  failures: number;
  /** Failures older than this are forgotten. */
  windowEndsAt: number;
  lockedUntil: number;
}

/**
 * Counts failed logins per (address, tenant, user). After `maxFailures` within the window, that
 * pair is refused (429) for `lockoutSeconds`, whatever the password, so guessing stays slow.
 * In-memory, per process.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, Attempts>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const entry = this.attempts.get(key);
    if (!entry) return 0;
    const now = this.now();
    if (entry.lockedUntil > now) return Math.ceil((entry.lockedUntil - now) / 1000);
    if (entry.windowEndsAt <= now) this.attempts.delete(key);
    return 0;
  }

  /** Records a failure; returns the lockout in seconds when this failure triggered one, else 0. */
  recordFailure(key: string): number {
    const now = this.now();
    let entry = this.attempts.get(key);
    if (!entry || entry.windowEndsAt <= now) {
      if (this.attempts.size >= MAX_TRACKED) this.prune(now);
      entry = { failures: 0, windowEndsAt: now + this.lockoutSeconds * 1000, lockedUntil: 0 };
      this.attempts.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures >= this.maxFailures) {
      entry.lockedUntil = now + this.lockoutSeconds * 1000;
      entry.windowEndsAt = entry.lockedUntil;
      entry.failures = 0;
      return this.lockoutSeconds;
    }
    return 0;
  }

  recordSuccess(key: string): void {
    this.attempts.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.attempts)
      if (entry.windowEndsAt <= now && entry.lockedUntil <= now) this.attempts.delete(key);
  }
}

export function throttleKey(address: string, tenantId: string, userName: string): string {
  return `${address}\u0000${tenantId}\u0000${userName}`;
}
