import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Depot's sessions start with `random_page_cost` 1.1 (`withSessionDefaults`), so the planner serves
 * a type-filtered list from the `(tenant_id, type, id)` index. With PostgreSQL's default of 4 it may
 * walk the primary key and filter instead, reading every earlier row (docs/performance.md, "List p99").
 */
describe("Depot's database sessions", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('start with random_page_cost 1.1, on every connection of the pool', async () => {
    const db = t.app.get(DataSource);
    // Concurrent queries take several connections.
    const costs = await Promise.all(
      Array.from({ length: 5 }, () =>
        db.query<Array<{ cost: string }>>(
          `SELECT current_setting('random_page_cost') AS cost, pg_sleep(0.05)::text`,
        ),
      ),
    );
    expect(costs.map(([{ cost }]) => cost)).toEqual(['1.1', '1.1', '1.1', '1.1', '1.1']);
  });
});
