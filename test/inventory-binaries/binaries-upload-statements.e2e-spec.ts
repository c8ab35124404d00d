import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { createTenant, type CreatedTenant } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { binaryUploadBody, blobFiles, json, openBinaryUpload, randomContent } from './binaries-test-kit';

/**
 * What a small upload costs the database where no default quota is set (`TENANT_STORAGE_QUOTA`
 * unset): one statement once the tenant is known to be unlimited, and still no upload past a quota
 * that another process set meanwhile.
 */
describe('POST /inventory/binaries: statements per upload, no default quota', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    tenant = await createTenant(t, 'statements');
  });
  afterAll(async () => {
    await t?.close();
  });

  function upload(content: Buffer) {
    const body = binaryUploadBody(content);
    const { request, response } = openBinaryUpload(t.baseUrl, tenant.auth, body);
    request.end(body);
    return response;
  }

  /** The SQL statements this app sent to PostgreSQL while `work` ran. */
  async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
    const statements: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
      this: PostgresQueryRunner,
      ...args: Parameters<typeof original>
    ) {
      statements.push(args[0]);
      return original.apply(this, args);
    });
    try {
      await work();
    } finally {
      spy.mockRestore();
    }
    return statements.filter((sql) => /managed_objects|tenant_storage|storage_reservations/.test(sql));
  }

  const rowsOfTenant = async (): Promise<number> => {
    const [{ count }] = await dataSource.query<Array<{ count: number }>>(
      'SELECT count(*)::int AS count FROM managed_objects WHERE tenant_id = $1',
      [tenant.id],
    );
    return count;
  };

  it('commits an upload of an unlimited tenant with one INSERT, no quota read before it', async () => {
    expect((await upload(randomContent(10 * 1024))).status).toBe(201);
    let status = 0;
    const statements = await statementsDuring(async () => {
      status = (await upload(randomContent(10 * 1024))).status;
    });
    expect(status).toBe(201);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^INSERT INTO managed_objects/);
  });

  it('refuses at commit an upload past a quota set meanwhile by another process, leaving no row or blob', async () => {
    const ok = await upload(randomContent(10 * 1024));
    expect(ok.status).toBe(201);
    const rows = await rowsOfTenant();
    const blobs = blobFiles(t.dataDir).filter((file) => file.startsWith(`${tenant.id}/`));
    // As another Depot process would: straight into the table, this process's memory not told.
    const [{ used_bytes: used }] = await dataSource.query<Array<{ used_bytes: string }>>(
      `INSERT INTO tenant_storage AS s (tenant_id, quota_bytes) VALUES ($1, 0)
       ON CONFLICT (tenant_id) DO UPDATE SET quota_bytes = s.used_bytes + 1024
       RETURNING s.used_bytes`,
      [tenant.id],
    );

    const refused = await upload(randomContent(10 * 1024));
    expect(refused.status).toBe(507);
    expect(json(refused)).toMatchObject({ error: 'storage/Quota Exceeded' });
    expect(await rowsOfTenant()).toBe(rows);
    expect(blobFiles(t.dataDir).filter((file) => file.startsWith(`${tenant.id}/`))).toEqual(blobs);

    // Within the quota, the commit counts it and lets it in.
    const small = await upload(randomContent(512));
    expect(small.status).toBe(201);
    const [{ used_bytes: after }] = await dataSource.query<Array<{ used_bytes: string }>>(
      'SELECT used_bytes FROM tenant_storage WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(Number(after)).toBe(Number(used) + 512);
  });
});
