import { rmSync } from 'node:fs';
import type { EmbeddedPostgresLauncher } from '../../libs/database/src/embedded-postgres.launcher';
import { EMBEDDED_KEY } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const launcher = (globalThis as Record<string, unknown>)[EMBEDDED_KEY] as
    EmbeddedPostgresLauncher | undefined;
  if (!launcher) return;
  await launcher.stop();
  const dir = process.env.DEPOT_TEST_EMBEDDED_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env.DATABASE_URL;
}
