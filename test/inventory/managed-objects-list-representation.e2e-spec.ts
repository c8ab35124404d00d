import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

/**
 * A list reads its rows without TypeORM's entities (times written by PostgreSQL, `length` cast to a
 * number); a single GET loads the entity. Both must give the same JSON, byte for byte, for every kind
 * of column value: microsecond times, times stored with an offset, a length past 2^32, nulls, nested
 * and non-ASCII fragments. The server's sessions run in a zone that is not UTC.
 */
describe('a listed managed object is the JSON its own GET answers', () => {
  let t: TestApp;
  let databaseUrl: string;
  const ids: Record<string, string> = {};

  // Rows as SQL writes them: the columns take values no upload would give (microseconds, offsets).
  const ROWS = [
    {
      key: 'binary',
      name: 'report.pdf',
      type: 'c8y_report',
      fragments: { c8y_Notes: { text: 'Grüße, 東京', tags: ['a', 'b'], n: 1.5, ok: true, none: null } },
      creation: '2026-01-02 03:04:05.678999+00',
      updated: '2026-03-04 05:06:07.0005+05:30',
      storageKey: 'management/list-representation-1',
      length: 5_000_000_123,
      contentType: 'application/pdf',
      md5: '0123456789abcdef0123456789abcdef',
      revpos: 3,
    },
    {
      key: 'bare binary',
      name: null,
      type: null,
      fragments: {},
      creation: '1999-12-31 23:59:59.999+00',
      updated: '2000-01-01 00:00:00-08',
      storageKey: 'management/list-representation-2',
      length: null,
      contentType: null,
      md5: null,
      revpos: null,
    },
    {
      key: 'group',
      name: 'group-1',
      type: 'c8y_DeviceGroup',
      fragments: { c8y_IsDeviceGroup: {}, c8y_Position: { lat: 51.5, lng: -0.12 } },
      creation: '2026-05-06 07:08:09.1+00',
      updated: '2026-05-06 07:08:09.100001+00',
      storageKey: null,
      length: null,
      contentType: null,
      md5: null,
      revpos: null,
    },
  ];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const inKolkata = new URL(databaseUrl);
    inKolkata.searchParams.set('options', '-c TimeZone=Asia/Kolkata');
    t = await startTestApp({ DATABASE_URL: inKolkata.toString() });
    const [{ zone }] = await t.app
      .get(DataSource)
      .query<Array<{ zone: string }>>(`SELECT current_setting('TimeZone') AS zone`);
    expect(zone).toBe('Asia/Kolkata');
    for (const row of ROWS) {
      const [{ id }] = await t.app.get(DataSource).query<Array<{ id: string }>>(
        `INSERT INTO managed_objects (tenant_id, owner, name, type, fragments, creation_time, last_updated,
           storage_key, length, content_type, md5, sha256, revpos)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id::text AS id`,
        [
          t.admin.tenant,
          t.admin.user,
          row.name,
          row.type,
          JSON.stringify(row.fragments),
          row.creation,
          row.updated,
          row.storageKey,
          row.length,
          row.contentType,
          row.md5,
          row.md5 === null ? null : 'f'.repeat(64),
          row.revpos,
        ],
      );
      ids[row.key] = id;
    }
  });
  afterAll(async () => {
    await t?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  const get = async (path: string): Promise<{ text: string; body: unknown }> => {
    const response = await request(t.server).get(path).set('Authorization', t.auth());
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return { text: response.text, body: response.body as unknown };
  };
  const listed = async (path: string): Promise<unknown[]> => {
    const { body } = await get(path);
    return (body as { managedObjects: unknown[] }).managedObjects;
  };

  it('is the same JSON text in both lists as in the single GET', async () => {
    const all = await listed(`/inventory/managedObjects?ids=${Object.values(ids).join(',')}`);
    const binaries = await listed(`/inventory/binaries?ids=${Object.values(ids).join(',')}`);
    expect(all).toHaveLength(3);
    expect(binaries).toHaveLength(2);
    for (const [index, key] of ROWS.map((row) => row.key).entries()) {
      const single = await get(`/inventory/managedObjects/${ids[key]}`);
      expect({ key, listed: JSON.stringify(all[index]) }).toEqual({ key, listed: single.text });
      if (index < 2)
        expect({ key, listed: JSON.stringify(binaries[index]) }).toEqual({ key, listed: single.text });
    }
  });

  it('writes times as toISOString does (UTC, milliseconds cut, not rounded) and length as a number', async () => {
    const [binary, bare, group] = (await listed(
      `/inventory/managedObjects?ids=${Object.values(ids).join(',')}`,
    )) as Array<Record<string, unknown>>;
    expect(binary).toEqual({
      c8y_Notes: { text: 'Grüße, 東京', tags: ['a', 'b'], n: 1.5, ok: true, none: null },
      id: ids.binary,
      self: `${t.baseUrl}/inventory/binaries/${ids.binary}`,
      owner: t.admin.user,
      creationTime: '2026-01-02T03:04:05.678Z',
      lastUpdated: '2026-03-03T23:36:07.000Z',
      name: 'report.pdf',
      type: 'c8y_report',
      c8y_IsBinary: {},
      contentType: 'application/pdf',
      length: 5_000_000_123,
      _attachments: {
        'report.pdf': {
          stub: true,
          length: 5_000_000_123,
          digest: `md5-${Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64')}`,
          revpos: 3,
          content_type: 'application/pdf',
        },
      },
    });
    expect(bare).toMatchObject({
      creationTime: '1999-12-31T23:59:59.999Z',
      lastUpdated: '2000-01-01T08:00:00.000Z',
      contentType: 'application/octet-stream',
      length: 0,
      _attachments: { [ids['bare binary']]: { stub: true, length: 0, revpos: 1 } },
    });
    expect(bare).not.toHaveProperty('name');
    expect(bare).not.toHaveProperty('type');
    expect(group).toMatchObject({
      creationTime: '2026-05-06T07:08:09.100Z',
      lastUpdated: '2026-05-06T07:08:09.100Z',
    });
    expect(group).not.toHaveProperty('c8y_IsBinary');
  });
});
