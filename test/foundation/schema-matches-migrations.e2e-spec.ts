import { DataSource } from 'typeorm';
import cliDataSource, { DEPOT_ENTITIES } from '../../apps/server/src/data-source';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The schema is made only by migrations; entities describe it to TypeORM. Once the migrations ran,
 * TypeORM's schema builder must find nothing to change, or `migration:generate` would put the drift
 * into the next migration and queries would rely on what the database does not have.
 */
describe('entities match the migrations', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('leaves TypeORM nothing to change after the migrations ran', async () => {
    const dataSource = t.app.get(DataSource);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('gives the CLI data source (apps/server/src/data-source.ts) every entity the server registers', () => {
    const registered = t.app
      .get(DataSource)
      .entityMetadatas.map((metadata) => metadata.target)
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect([...DEPOT_ENTITIES].sort((a, b) => String(a).localeCompare(String(b)))).toEqual(registered);
    expect(cliDataSource.options.migrations).toEqual(t.app.get(DataSource).options.migrations);
  });
});
