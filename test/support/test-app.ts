import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createDepotApp } from '../../apps/server/src/create-depot-app';
import { createTestDatabase, dropTestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  /** Listening on 127.0.0.1 on a random port. */
  server: Server;
  baseUrl: string;
  /** The environment the app was built from. */
  env: Record<string, string>;
  /** This app's own fresh database. */
  databaseUrl: string;
  /** This app's own fresh DATA_DIR. */
  dataDir: string;
  admin: { tenant: string; user: string; password: string };
  /** `Basic base64(tenant/user:password)`; defaults to the bootstrap admin. */
  auth(user?: string, password?: string, tenant?: string): string;
  close(): Promise<void>;
}

export function basicAuth(tenant: string | undefined, user: string, password: string): string {
  const login = tenant ? `${tenant}/${user}` : user;
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

/**
 * Starts the real Depot app (the same `createDepotApp` main.ts uses) on a fresh database and a fresh
 * temp DATA_DIR. `env` overrides the defaults (e.g. limits, STORAGE_DRIVER); a second app can share
 * the first one's `DATABASE_URL` and `DATA_DIR`, and then `close` leaves them to their owner. The embedded PostgreSQL
 * cannot start inside a jest worker (the package is ESM-only); use `spawnServer` with
 * `DATABASE_URL: ''` to test it.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // Only what this call creates is removed again on close.
  const ownDatabaseUrl = env.DATABASE_URL === undefined ? await createTestDatabase() : undefined;
  const ownDataDir =
    env.DATA_DIR === undefined ? mkdtempSync(path.join(tmpdir(), 'depot-test-data-')) : undefined;
  const cleanUp = async (): Promise<void> => {
    if (ownDatabaseUrl) await dropTestDatabase(ownDatabaseUrl);
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const fullEnv: Record<string, string> = {
    DATA_DIR: ownDataDir ?? '',
    DATABASE_URL: ownDatabaseUrl ?? '',
    BOOTSTRAP_TENANT: 'management',
    BOOTSTRAP_USER: 'admin',
    BOOTSTRAP_PASSWORD: password,
    LOG_LEVEL: process.env.DEPOT_TEST_LOG_LEVEL ?? 'warn',
    ...env,
  };
  let app: INestApplication | undefined;
  try {
    app = await createDepotApp(fullEnv);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await cleanUp().catch(() => undefined);
    throw error;
  }
  const started = app;
  const server = started.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  const admin = {
    tenant: fullEnv.BOOTSTRAP_TENANT,
    user: fullEnv.BOOTSTRAP_USER,
    password: fullEnv.BOOTSTRAP_PASSWORD,
  };
  let closed = false;
  return {
    app: started,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    env: fullEnv,
    databaseUrl: fullEnv.DATABASE_URL,
    dataDir: fullEnv.DATA_DIR,
    admin,
    auth: (user = admin.user, userPassword = admin.password, tenant = admin.tenant) =>
      basicAuth(tenant, user, userPassword),
    async close() {
      if (closed) return;
      closed = true;
      await started.close();
      await cleanUp();
    },
  };
}
