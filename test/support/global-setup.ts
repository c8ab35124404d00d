// Chooses the PostgreSQL server for the e2e run: DATABASE_URL when set (CI), otherwise ONE embedded
// cluster in a temp dir for the whole run. Workers inherit DATABASE_URL and create a fresh database
// per test app on that server. Relative imports: global setup is not resolved through jest's mapper.
import { Logger } from '@nestjs/common';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmbeddedPostgresLauncher } from '../../libs/database/src/embedded-postgres.launcher';
import { dropStaleTestDatabases } from './test-database';

export const EMBEDDED_KEY = '__depotEmbeddedPostgres';

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    // A shared server: clear what killed runs left behind (no run lasts this long).
    await dropStaleTestDatabases(6 * 60 * 60 * 1000);
    return;
  }
  Logger.overrideLogger(['error', 'warn']);
  const dir = mkdtempSync(path.join(tmpdir(), 'depot-test-pg-'));
  chmodSync(dir, 0o755); // the cluster runs as the `postgres` user
  const launcher = new EmbeddedPostgresLauncher(path.join(dir, 'cluster'));
  process.env.DATABASE_URL = await launcher.start();
  process.env.DEPOT_TEST_EMBEDDED_DIR = dir;
  (globalThis as Record<string, unknown>)[EMBEDDED_KEY] = launcher;
}
