import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

// Arbitrary constant: every Depot process migrating the same database takes the same lock.
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so several server processes
 * starting together against one database migrate it exactly once.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.log(`Applied ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
