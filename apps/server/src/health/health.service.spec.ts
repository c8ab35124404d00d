import type { StorageDriver } from '@depot/storage';
import type { DataSource } from 'typeorm';
import { HealthService } from './health.service';

describe('HealthService', () => {
  afterEach(() => jest.useRealTimers());

  const storage = (ping: () => Promise<void>) => ({ name: 'fake', ping }) as unknown as StorageDriver;
  const database = (query: () => Promise<unknown>) => ({ query }) as unknown as DataSource;

  it('reports UP with nothing failed', async () => {
    const health = new HealthService(
      database(() => Promise.resolve([])),
      storage(() => Promise.resolve()),
    );
    await expect(health.check()).resolves.toEqual({
      status: 'UP',
      database: { status: 'UP' },
      storage: { status: 'UP', driver: 'fake' },
    });
  });

  it('counts a dependency that does not answer as down instead of hanging', async () => {
    jest.useFakeTimers();
    const health = new HealthService(
      database(() => new Promise(() => undefined)),
      storage(() => Promise.reject(new Error('bucket gone'))),
    );
    const report = health.check();
    await jest.advanceTimersByTimeAsync(3000);
    await expect(report).resolves.toEqual({
      status: 'DOWN',
      failed: ['database', 'storage'],
      database: { status: 'DOWN', details: 'No answer within 3000 ms' },
      storage: { status: 'DOWN', driver: 'fake', details: 'bucket gone' },
    });
  });
});
