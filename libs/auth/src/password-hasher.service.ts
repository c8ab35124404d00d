import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { ScryptError, ScryptPool } from './scrypt-pool';

// OWASP's scrypt minimum (N=2^17 is nicer but costs 128 MiB per hash); a per-user 16-byte salt.
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/**
 * Every password hash and verification in Depot, stored as `scrypt$N$r$p$<salt b64>$<hash b64>`.
 * The work runs on `ScryptPool`'s threads; when its queue is full, calls fail fast with a 503
 * (`HashQueueFullError`) instead of piling up.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private readonly pool: ScryptPool;
  /** Verified against for unknown users: random salt and key, costing what a real hash costs. */
  private readonly dummyHash = format(PARAMS, randomBytes(16), randomBytes(KEY_LENGTH));

  constructor(@Inject(AUTH_OPTIONS) options: AuthModuleOptions) {
    this.pool = new ScryptPool(options.hashThreads, options.hashQueueLength);
  }

  /** scrypt derivations run so far (hashes and verifications alike). */
  get derivations(): number {
    return this.pool.derivations;
  }

  /** A hash asked for now would be refused (`HashQueueFullError`): callers can skip work before it. */
  get saturated(): boolean {
    return this.pool.saturated;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, PARAMS);
    return format(PARAMS, salt, key);
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    let key: Buffer;
    try {
      key = await this.derive(password, Buffer.from(salt, 'base64'), {
        N: Number(n),
        r: Number(r),
        p: Number(p),
      });
    } catch (error) {
      // Unusable parameters in a damaged hash: fail closed. A full queue or a lost worker is no answer.
      if (error instanceof ScryptError) return false;
      throw error;
    }
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** For a user that does not exist: the same work as a real verification, so timing reveals nothing. */
  async verifyNobody(password: string): Promise<false> {
    await this.verify(password, this.dummyHash);
    return false;
  }

  /** After the HTTP drain (beforeApplicationShutdown): requests still finishing need their hashes. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private derive(password: string, salt: Buffer, params: typeof PARAMS): Promise<Buffer> {
    return this.pool.derive({
      password: password.normalize('NFC'),
      salt,
      keyLength: KEY_LENGTH,
      options: { ...params, maxmem: MAX_MEMORY },
    });
  }
}

function format(params: typeof PARAMS, salt: Buffer, key: Buffer): string {
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}
