import { MIN_PASSWORD_LENGTH, MIN_SESSION_SECRET_LENGTH, TENANT_ID } from '@depot/auth';
import type { LogLevel } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { DepotConfig, StorageConfig } from './depot-config';

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: KiB,
  kib: KiB,
  kb: 1000,
  m: MiB,
  mib: MiB,
  mb: 1000 ** 2,
  g: GiB,
  gib: GiB,
  gb: 1000 ** 3,
};
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
/** pino's names for Nest's levels, accepted in LOG_LEVEL too. */
const LOG_LEVEL_ALIASES: Record<string, LogLevel> = { info: 'log', trace: 'verbose' };

/**
 * Reads and validates the environment once at boot. Collects every problem before failing, and
 * checks MinIO settings only when the MinIO driver is chosen.
 */
export function loadDepotConfig(env: Env): DepotConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const dataDir = path.resolve(read.string('DATA_DIR') ?? './data');
  const databaseUrl = read.string('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/.+/i.test(databaseUrl))
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');

  const driver = read.string('STORAGE_DRIVER') ?? 'filesystem';
  let storage: StorageConfig = { driver: 'filesystem', root: path.join(dataDir, 'blobs') };
  if (driver === 'minio') {
    storage = {
      driver: 'minio',
      endPoint: read.required('MINIO_ENDPOINT', 'with STORAGE_DRIVER=minio'),
      port: read.integer('MINIO_PORT', 9000, 1, 65535),
      useSSL: read.boolean('MINIO_USE_SSL', false),
      accessKey: read.required('MINIO_ACCESS_KEY', 'with STORAGE_DRIVER=minio'),
      secretKey: read.required('MINIO_SECRET_KEY', 'with STORAGE_DRIVER=minio'),
      bucket: read.required('MINIO_BUCKET', 'with STORAGE_DRIVER=minio'),
      region: read.string('MINIO_REGION') ?? 'us-east-1',
    };
  } else if (driver !== 'filesystem') {
    problems.push(`STORAGE_DRIVER must be "filesystem" or "minio", got "${driver}"`);
  }

  const bootstrapTenant = read.string('BOOTSTRAP_TENANT') ?? 'management';
  if (!TENANT_ID.test(bootstrapTenant))
    problems.push(
      'BOOTSTRAP_TENANT must be lower-case letters, digits, "-" or "_", starting with a letter (max 32)',
    );
  const bootstrapUser = read.string('BOOTSTRAP_USER') ?? 'admin';
  if (/[/:\s]/.test(bootstrapUser)) problems.push('BOOTSTRAP_USER must not contain "/", ":" or whitespace');
  const bootstrapPassword = read.string('BOOTSTRAP_PASSWORD');
  if (bootstrapPassword !== undefined && bootstrapPassword.length < MIN_PASSWORD_LENGTH)
    problems.push(`BOOTSTRAP_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);

  const sessionSecret = read.string('SESSION_SECRET');
  if (sessionSecret !== undefined && Buffer.byteLength(sessionSecret) < MIN_SESSION_SECRET_LENGTH)
    problems.push(`SESSION_SECRET must have at least ${MIN_SESSION_SECRET_LENGTH} characters`);

  const rawLogLevel = (read.string('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVEL_ALIASES[rawLogLevel] ?? (rawLogLevel as LogLevel);
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${[...LOG_LEVELS, 'info', 'trace'].join(', ')}`);

  const config: DepotConfig = {
    port: read.integer('PORT', 8080, 0, 65535),
    host: read.string('HOST') ?? '0.0.0.0',
    dataDir,
    databaseUrl,
    storage,
    bootstrap: { tenant: bootstrapTenant, user: bootstrapUser, password: bootstrapPassword },
    limits: {
      maxBinarySize: read.size('MAX_BINARY_SIZE', GiB),
      tenantStorageQuota: read.optionalSize('TENANT_STORAGE_QUOTA'),
      maxArchiveSize: read.size('MAX_ARCHIVE_SIZE', 200 * MiB),
      maxArchiveEntries: read.integer('MAX_ARCHIVE_ENTRIES', 10_000, 1),
      maxArchiveInflated: read.size('MAX_ARCHIVE_INFLATED', GiB),
      archiveRetention: read.integer('ARCHIVE_RETENTION', 10, 1),
      versionsLimit: read.integer('APPLICATION_VERSIONS_LIMIT', 20, 1, 10_000),
      maxJsonBody: read.size('MAX_JSON_BODY', MiB),
    },
    auth: {
      cacheTtlMs: read.integer('AUTH_CACHE_SECONDS', 10, 0, 3600) * 1000,
      maxFailures: read.integer('AUTH_MAX_FAILURES', 5, 1),
      maxFailuresPerAddress: read.integer('AUTH_MAX_FAILURES_PER_ADDRESS', 100, 1),
      lockoutSeconds: read.integer('AUTH_LOCKOUT_SECONDS', 60, 1),
      // A core stays free for the event loop: hashing must not slow every other request.
      hashThreads: read.integer(
        'AUTH_HASH_THREADS',
        Math.min(2, Math.max(1, availableParallelism() - 1)),
        1,
        64,
      ),
      hashQueueLength: read.integer('AUTH_HASH_QUEUE', 32, 0, 100_000),
    },
    sessions: { secret: sessionSecret, ttlSeconds: read.duration('SESSION_TTL', 8 * 3600, 1, 366 * 86400) },
    sweeper: {
      graceMs: read.integer('SWEEP_GRACE_SECONDS', 3600, 0) * 1000,
      intervalMs: read.integer('SWEEP_INTERVAL_SECONDS', 900, 1) * 1000,
    },
    publicUrl: read.publicUrl('PUBLIC_URL'),
    requestIdleTimeoutMs: read.integer('REQUEST_IDLE_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
    trustProxy: read.trustProxy('TRUST_PROXY'),
    logLevels: LOG_LEVELS.slice(0, Math.max(LOG_LEVELS.indexOf(logLevel), 0) + 1),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 3_600_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string, when: string): string {
    const value = this.string(name);
    if (value === undefined) this.problems.push(`${name} is required ${when}`);
    return value ?? '';
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  /** Seconds, or a number with a unit: `45s`, `30m`, `8h`, `7d`. */
  duration(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(raw);
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match?.[2] ?? 's').toLowerCase() as 's'];
    const value = match ? Number(match[1]) * unit : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(
        `${name} must be a duration from ${min} to ${max} seconds, in seconds or with a unit (e.g. 8h, 30m), got "${raw}"`,
      );
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  /** Like `size`, with no value when unset. */
  optionalSize(name: string): number | undefined {
    return this.string(name) === undefined ? undefined : this.size(name, 0);
  }

  /** Bytes, or a number with a unit: `512KiB`, `200MiB`, `1GiB`, `1G`, `10MB` (decimal). */
  size(name: string, fallback: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const match = /^(\d+)\s*([a-z]*)$/i.exec(raw);
    const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
    const value = match && unit ? Number(match[1]) * unit : NaN;
    if (!Number.isSafeInteger(value) || value < 1) {
      this.problems.push(`${name} must be a size in bytes or with a unit (e.g. 200MiB, 1GiB), got "${raw}"`);
      return fallback;
    }
    return value;
  }

  /** An absolute http(s) URL without credentials, query or fragment; returned without a trailing slash. */
  publicUrl(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username !== '' ||
      url.password !== '' ||
      raw.includes('?') ||
      raw.includes('#')
    ) {
      this.problems.push(
        `${name} must be an absolute http(s) URL without credentials, query or fragment (e.g. https://depot.example.com), got "${raw}"`,
      );
      return undefined;
    }
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  }

  trustProxy(name: string): boolean | number | string {
    const raw = this.string(name);
    if (raw === undefined || ['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    if (['true', 'yes'].includes(raw.toLowerCase())) return true;
    if (/^\d+$/.test(raw)) return Number(raw);
    // Express also takes addresses/subnets and the names loopback, linklocal, uniquelocal.
    return raw;
  }
}
