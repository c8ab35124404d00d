import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadDepotConfig } from './load-depot-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDepotConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDepotConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadDepotConfig({});
    expect(config).toMatchObject({
      port: 8080,
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      storage: { driver: 'filesystem', root: path.resolve('./data/blobs') },
      bootstrap: { tenant: 'management', user: 'admin', password: undefined },
      limits: {
        maxBinarySize: 1024 ** 3,
        maxArchiveSize: 200 * 1024 ** 2,
        maxArchiveEntries: 10_000,
        maxArchiveInflated: 1024 ** 3,
        archiveRetention: 10,
        versionsLimit: 20,
      },
      trustProxy: false,
    });
  });

  it('reads sizes with units', () => {
    const config = loadDepotConfig({
      MAX_BINARY_SIZE: '512KiB',
      MAX_ARCHIVE_SIZE: '10MB',
      MAX_ARCHIVE_INFLATED: '2G',
    });
    expect(config.limits.maxBinarySize).toBe(512 * 1024);
    expect(config.limits.maxArchiveSize).toBe(10_000_000);
    expect(config.limits.maxArchiveInflated).toBe(2 * 1024 ** 3);
  });

  it('reads TENANT_STORAGE_QUOTA as a size; unset means unlimited, 0 is refused', () => {
    expect(loadDepotConfig({}).limits.tenantStorageQuota).toBeUndefined();
    expect(loadDepotConfig({ TENANT_STORAGE_QUOTA: '5GiB' }).limits.tenantStorageQuota).toBe(5 * 1024 ** 3);
    expect(problemsOf({ TENANT_STORAGE_QUOTA: '0' })).toEqual([
      expect.stringContaining('TENANT_STORAGE_QUOTA must be a size'),
    ]);
  });

  it('requires MinIO settings only with the MinIO driver', () => {
    expect(loadDepotConfig({ MINIO_PORT: 'junk-is-ignored' }).storage.driver).toBe('filesystem');
    const problems = problemsOf({ STORAGE_DRIVER: 'minio', MINIO_PORT: 'x' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('MINIO_ENDPOINT'),
        expect.stringContaining('MINIO_ACCESS_KEY'),
        expect.stringContaining('MINIO_SECRET_KEY'),
        expect.stringContaining('MINIO_BUCKET'),
        expect.stringContaining('MINIO_PORT'),
      ]),
    );
    const config = loadDepotConfig({
      STORAGE_DRIVER: 'minio',
      MINIO_ENDPOINT: '127.0.0.1',
      MINIO_ACCESS_KEY: 'a',
      MINIO_SECRET_KEY: 'b',
      MINIO_BUCKET: 'depot',
    });
    expect(config.storage).toEqual({
      driver: 'minio',
      endPoint: '127.0.0.1',
      port: 9000,
      useSSL: false,
      accessKey: 'a',
      secretKey: 'b',
      bucket: 'depot',
      region: 'us-east-1',
    });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'http',
      STORAGE_DRIVER: 's3',
      DATABASE_URL: 'mysql://x',
      MAX_BINARY_SIZE: 'lots',
      ARCHIVE_RETENTION: '0',
      APPLICATION_VERSIONS_LIMIT: '0',
      BOOTSTRAP_TENANT: 'Bad Tenant',
      BOOTSTRAP_PASSWORD: 'short',
      LOG_LEVEL: 'chatty',
    });
    expect(problems).toHaveLength(9);
  });

  it('reads LOG_LEVEL with pino names too, and SHUTDOWN_TIMEOUT_MS', () => {
    expect(loadDepotConfig({}).logLevels).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(loadDepotConfig({}).shutdownTimeoutMs).toBe(25_000);
    expect(loadDepotConfig({ LOG_LEVEL: 'trace' }).logLevels).toContain('verbose');
    expect(loadDepotConfig({ LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '500' })).toMatchObject({
      logLevels: ['fatal', 'error', 'warn'],
      shutdownTimeoutMs: 500,
    });
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toHaveLength(1);
  });

  it('reads the login throttle and password hashing settings', () => {
    expect(loadDepotConfig({}).auth).toEqual({
      cacheTtlMs: 10_000,
      maxFailures: 5,
      maxFailuresPerAddress: 100,
      lockoutSeconds: 60,
      hashThreads: Math.min(2, Math.max(1, availableParallelism() - 1)),
      hashQueueLength: 32,
    });
    expect(
      loadDepotConfig({ AUTH_MAX_FAILURES_PER_ADDRESS: '20', AUTH_HASH_THREADS: '1', AUTH_HASH_QUEUE: '0' })
        .auth,
    ).toMatchObject({ maxFailuresPerAddress: 20, hashThreads: 1, hashQueueLength: 0 });
    expect(
      problemsOf({ AUTH_MAX_FAILURES_PER_ADDRESS: '0', AUTH_HASH_THREADS: '0', AUTH_HASH_QUEUE: 'many' }),
    ).toEqual([
      expect.stringContaining('AUTH_MAX_FAILURES_PER_ADDRESS'),
      expect.stringContaining('AUTH_HASH_THREADS'),
      expect.stringContaining('AUTH_HASH_QUEUE'),
    ]);
  });

  it('reads PUBLIC_URL without its trailing slash, and refuses anything but a plain http(s) URL', () => {
    expect(loadDepotConfig({}).publicUrl).toBeUndefined();
    expect(loadDepotConfig({ PUBLIC_URL: 'https://depot.example.com/' }).publicUrl).toBe(
      'https://depot.example.com',
    );
    expect(loadDepotConfig({ PUBLIC_URL: 'http://10.0.0.5:8080/iot/depot/' }).publicUrl).toBe(
      'http://10.0.0.5:8080/iot/depot',
    );
    for (const bad of [
      'depot.example.com',
      '/depot',
      'ftp://depot.example.com',
      'https://depot.example.com/?a=1',
      'https://depot.example.com/#top',
      'https://user:pw@depot.example.com',
      'https://exa mple.com',
    ])
      expect(problemsOf({ PUBLIC_URL: bad })).toEqual([expect.stringContaining('PUBLIC_URL')]);
  });

  it('reads REQUEST_IDLE_TIMEOUT_SECONDS (default 60 s)', () => {
    expect(loadDepotConfig({}).requestIdleTimeoutMs).toBe(60_000);
    expect(loadDepotConfig({ REQUEST_IDLE_TIMEOUT_SECONDS: '5' }).requestIdleTimeoutMs).toBe(5000);
    expect(problemsOf({ REQUEST_IDLE_TIMEOUT_SECONDS: '0' })).toHaveLength(1);
    expect(problemsOf({ REQUEST_IDLE_TIMEOUT_SECONDS: 'soon' })).toHaveLength(1);
  });

  it('reads SESSION_TTL as a duration (default 8 h) and SESSION_SECRET of 32 characters or more', () => {
    expect(loadDepotConfig({}).sessions).toEqual({ secret: undefined, ttlSeconds: 8 * 3600 });
    expect(loadDepotConfig({ SESSION_TTL: '90' }).sessions.ttlSeconds).toBe(90);
    expect(loadDepotConfig({ SESSION_TTL: '30m' }).sessions.ttlSeconds).toBe(1800);
    expect(loadDepotConfig({ SESSION_TTL: '2D' }).sessions.ttlSeconds).toBe(2 * 86400);
    for (const bad of ['0', '8 hours', '-1h', '367d', '1.5h'])
      expect(problemsOf({ SESSION_TTL: bad })).toEqual([expect.stringContaining('SESSION_TTL')]);
    const secret = 'k'.repeat(32);
    expect(loadDepotConfig({ SESSION_SECRET: secret }).sessions.secret).toBe(secret);
    expect(problemsOf({ SESSION_SECRET: 'short' })).toEqual([expect.stringContaining('SESSION_SECRET')]);
  });
});
