import {
  createTestDatabase,
  dropStaleTestDatabases,
  dropTestDatabase,
  serverUrl,
} from '../support/test-database';
import { DataSource } from 'typeorm';

describe('test database housekeeping', () => {
  it('drops test databases a killed run left behind, and keeps fresh ones', async () => {
    const fresh = await createTestDatabase();
    const admin = await new DataSource({ type: 'postgres', url: serverUrl() }).initialize();
    const stale = `depot_test_${Math.floor(Date.now() / 1000) - 7 * 3600}_abcdef012345`;
    try {
      await admin.query(`CREATE DATABASE "${stale}"`);
      const dropped = await dropStaleTestDatabases(6 * 3600 * 1000);
      expect(dropped).toContain(stale);
      const names = (await admin.query<Array<{ datname: string }>>('SELECT datname FROM pg_database')).map(
        (row) => row.datname,
      );
      expect(names).not.toContain(stale);
      expect(names).toContain(decodeURIComponent(new URL(fresh).pathname.slice(1)));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${stale}"`);
      await admin.destroy();
      await dropTestDatabase(fresh);
    }
  });
});
