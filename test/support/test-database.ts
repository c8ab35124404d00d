import { randomBytes } from 'node:crypto';

/** The bit of `pg` we use (the package ships no typings and we avoid adding @types/pg). */
interface Client {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => Client };

/** The PostgreSQL server chosen by global setup (DATABASE_URL, or the run's embedded cluster). */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run e2e tests through jest (global setup sets it)');
  return url;
}

// depot_test_<creation epoch seconds>_<random>: the age lets a later run drop what a killed run left.
const TEST_DATABASE = /^depot_test_(?:(\d+)_)?[0-9a-f]+$/;

/** Creates an empty database on the test server and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `depot_test_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!TEST_DATABASE.test(name)) throw new Error(`Refusing to drop ${name}`);
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Drops test databases older than `maxAgeMs` that runs killed mid-way (timeouts, Ctrl-C) left on a
 * shared server. Plain DROP: one still in use fails and is kept.
 */
export async function dropStaleTestDatabases(maxAgeMs: number): Promise<string[]> {
  const dropped: string[] = [];
  await withAdminClient(async (client) => {
    const { rows } = await client.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'depot\\_test\\_%'`,
    );
    for (const { datname } of rows) {
      const created = TEST_DATABASE.exec(String(datname))?.[1];
      if (!created || Date.now() - Number(created) * 1000 < maxAgeMs) continue;
      try {
        await client.query(`DROP DATABASE IF EXISTS "${String(datname)}"`);
        dropped.push(String(datname));
      } catch {
        // in use: not stale after all
      }
    }
  });
  return dropped;
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
