import { Inject, Injectable, Optional } from '@nestjs/common';
import { STORAGE_DRIVER, type StorageDriver } from '@depot/storage';
import { DataSource } from 'typeorm';

export interface ComponentHealth {
  status: 'UP' | 'DOWN';
  details?: string;
}

export interface HealthReport {
  status: 'UP' | 'DOWN';
  /** The components that are down, when any is. */
  failed?: string[];
  database: ComponentHealth;
  storage?: ComponentHealth & { driver: string };
}

/** Checks what a request needs: the database and, when one is wired, the storage driver. */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(STORAGE_DRIVER) private readonly storage?: StorageDriver,
  ) {}

  async check(): Promise<HealthReport> {
    const database = await probe(async () => {
      await this.dataSource.query('SELECT 1');
    });
    const report: HealthReport = { status: database.status, database };
    if (this.storage) {
      const storage = this.storage;
      report.storage = { driver: storage.name, ...(await probe(() => storage.ping())) };
      if (report.storage.status === 'DOWN') report.status = 'DOWN';
    }
    const failed = (['database', 'storage'] as const).filter((name) => report[name]?.status === 'DOWN');
    if (failed.length > 0) report.failed = failed;
    return report;
  }
}

/** A dependency that does not answer within this is down (a hung connection must not hang the probe). */
const PROBE_TIMEOUT_MS = 3000;

async function probe(check: () => Promise<void>): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'UP' };
  } catch (error) {
    return { status: 'DOWN', details: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
