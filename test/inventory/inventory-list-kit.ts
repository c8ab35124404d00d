// Seed data for the inventory list-filter suites: objects that each filter must find, and objects it
// must leave out (another owner, another tenant, a managed object that is not a binary).
import { Role } from '@depot/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTenant, createUser, type CreatedUser } from '../support/factories';
import { multipart, multipartType } from '../support/multipart';
import type { TestApp } from '../support/test-app';

export interface SeededInventory {
  /** Binary names → ids (admin's, then bob's). */
  ids: Record<string, string>;
  /** The non-binary managed object of the admin's tenant. */
  groupId: string;
  bob: CreatedUser;
  otherTenantAuth: string;
}

/** Uploaded by the admin unless said otherwise; every name is unique. */
export const SEED = [
  {
    name: 'sensor-a.log',
    type: 'c8y_log',
    c8y_Hardware: { serialNumber: 'SN-1', model: 'M1' },
    c8y_IsDevice: {},
    c8y_Tags: ['red', 'blue'],
    c8y_Count: 5,
    c8y_On: true,
  },
  { name: 'sensor-b.log', type: 'c8y_log', c8y_Hardware: { serialNumber: 'SN-2' }, c8y_Count: 7 },
  { name: 'Photo 100%_x.png', type: 'image/png', c8y_Tags: ['green'], c8y_On: false },
  { name: "it's.txt", type: 'text/plain' },
];
export const BOBS = { name: 'bob.bin', type: 'c8y_log', c8y_Hardware: { serialNumber: 'SN-3' } };

export async function upload(t: TestApp, auth: string, object: Record<string, unknown>): Promise<string> {
  const response = await request(t.server)
    .post('/inventory/binaries')
    .set('Authorization', auth)
    .set('Accept', 'application/json')
    .set('Content-Type', multipartType())
    .send(
      multipart([
        { name: 'object', body: JSON.stringify(object) },
        { name: 'file', filename: String(object.name), contentType: 'text/plain', body: 'content' },
      ]),
    );
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${response.text}`);
  return (response.body as { id: string }).id;
}

export async function seedInventory(t: TestApp): Promise<SeededInventory> {
  const ids: Record<string, string> = {};
  for (const object of SEED) ids[object.name] = await upload(t, t.auth(), object);
  const bob = await createUser(t, { userName: 'bob', roles: [Role.InventoryCreate] });
  ids[BOBS.name] = await upload(t, bob.auth, BOBS);
  const other = await createTenant(t, 'othertenant');
  await upload(t, other.auth, SEED[0]);
  // Depot has no POST /inventory/managedObjects: the one object that is not a binary is a row.
  const [{ id: groupId }] = await t.app.get(DataSource).query<Array<{ id: string }>>(
    `INSERT INTO managed_objects (tenant_id, owner, name, type, fragments, creation_time, last_updated)
     VALUES ($1, $2, 'group-1', 'c8y_DeviceGroup', '{"c8y_IsDeviceGroup": {}}', now(), now()) RETURNING id::text AS id`,
    [t.admin.tenant, t.admin.user],
  );
  return { ids, groupId, bob, otherTenantAuth: other.auth };
}

/** GET `path` (query already encoded) and the names of what it lists, in order; fails on non-200. */
export async function listedNames(t: TestApp, path: string, auth = t.auth()): Promise<string[]> {
  const response = await request(t.server).get(path).set('Authorization', auth);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
  const body = response.body as { managedObjects: Array<{ name?: string }> };
  return body.managedObjects.map((object) => object.name ?? '');
}

/** `?query=` / `?q=` with the text encoded as a client encodes it, and a page big enough for all. */
export function withQuery(base: string, name: 'query' | 'q', text: string): string {
  return `${base}?${name}=${encodeURIComponent(text)}&pageSize=100`;
}

const q = (text: string): string => `query=${encodeURIComponent(text)}`;
const e = encodeURIComponent;
const A = 'sensor-a.log';
const B = 'sensor-b.log';
const PHOTO = 'Photo 100%_x.png';
const ITS = "it's.txt";
const BOB = 'bob.bin';
const GROUP = 'group-1';

/**
 * `[query string, names listed in id order]` for `GET /inventory/managedObjects`; the binaries list
 * expects the same without the group. Every case leaves seeded objects out.
 */
export function filterCases(seed: SeededInventory): Array<[string, string[]]> {
  const { ids, groupId } = seed;
  return [
    ['type=c8y_log', [A, B, BOB]],
    ['owner=bob', [BOB]],
    ['owner=admin', [A, B, PHOTO, ITS, GROUP]],
    ['fragmentType=c8y_IsDevice', [A]],
    ['fragmentType=c8y_Hardware', [A, B, BOB]],
    ['name=sensor-*', [A, B]],
    ['name=*.log', [A, B]],
    [`name=${e("'it''s.txt'")}`, [ITS]],
    [`name=${e(PHOTO)}`, [PHOTO]],
    [`name=${e('Photo 1%')}`, []],
    ['name=sensor-_.log', []],
    [`ids=${ids[A]},${groupId}`, [A, GROUP]],
    ['text=SENSOR', [A, B]],
    ['type=c8y_log&fragmentType=c8y_IsDevice', [A]],
    [q("$filter=(c8y_Hardware.serialNumber eq 'SN-1')"), [A]],
    [q("c8y_Hardware.serialNumber eq 'SN-*'"), [A, B, BOB]],
    [q("c8y_Tags eq 'blue'"), [A]],
    [q("c8y_Tags eq 'bl*'"), []],
    [q('c8y_Count eq 5'), [A]],
    [q('c8y_Count eq 5.0f'), [A]],
    [q('c8y_Count ne 5'), [B, PHOTO, ITS, BOB, GROUP]],
    [q('c8y_On eq false'), [PHOTO]],
    [q("c8y_On eq 'false'"), []],
    [q('has(c8y_Hardware) and not has(c8y_IsDevice)'), [B, BOB]],
    [q('has(c8y_Hardware.model)'), [A]],
    [q("c8y_Hardware.model ne 'M1'"), [B, PHOTO, ITS, BOB, GROUP]],
    [q("name eq 'sensor-*' or type eq 'image/png'"), [A, B, PHOTO]],
    [q("(type eq 'c8y_log') and (owner ne 'bob')"), [A, B]],
    [q("not(name eq '*.log')"), [PHOTO, ITS, BOB, GROUP]],
    [q("name eq 'it''s.txt'"), [ITS]],
    [q("name eq 'x'' or 1=1 --'"), []],
    [q("name eq 'Photo 100\\%\\_x.png'"), [PHOTO]],
    [q("name eq 'Photo 1%'"), []],
    [q(`id eq ${ids[A]}`), [A]],
    [q(`id eq '${ids[B]}' or id eq 999999999`), [B]],
    [q("creationTime.date gt '2000-01-01T00:00:00Z' and lastUpdated lt '2000-01-01T00:00:00.000Z'"), []],
    [q("creationTime ge '2000-01-01' and type eq 'c8y_log'"), [A, B, BOB]],
    [q('has(c8y_IsBinary)'), [A, B, PHOTO, ITS, BOB]],
    [q('not has(c8y_IsBinary)'), [GROUP]],
    [q("$filter=(type eq 'c8y_log') $orderby=name desc"), [B, A, BOB]],
    [q('$filter=(has(c8y_Count)) $orderby=c8y_Count desc'), [B, A]],
    [q("$filter=(type eq 'c8y_log') $orderby=c8y_Count desc"), [B, A, BOB]],
    [q("$orderby=id desc $filter=(type eq 'c8y_log')"), [BOB, B, A]],
    [`type=c8y_log&${q("c8y_Hardware.serialNumber eq 'SN-2'")}`, [B]],
    [`q=${e("$filter=(name eq 'sensor-*')")}`, [A]],
    [`q=${e('has(c8y_Hardware)')}&${q('has(c8y_Count)')}`, [A]],
  ];
}

/** `[query string, what the 422 message must say]`, the same for both lists. */
export const REFUSED_CASES: Array<[string, RegExp]> = [
  ['childAdditionId=1', /childAdditionId/],
  ['childAddition=1', /childAddition/],
  ['childAssetId=1', /childAssetId/],
  ['childDeviceId=1', /childDeviceId/],
  ['onlyRoots=true', /onlyRoots/],
  ['ids=1,x', /ids must be/],
  ['type=a&type=b', /type must be given once/],
  ['query=a&query=b', /query must be given once/],
  [q('bygroupid(10300)'), /function bygroupid\(\) is not supported/],
  [q("name gt 'a'"), /name gt is not supported/],
  [q('c8y_Count lt 5'), /c8y_Count lt is not supported/],
  [q("name in ('a')"), /operator in is not supported/],
  [q("creationTime eq 'yesterday'"), /ISO 8601/],
  [q("id eq '1*'"), /id does not take wildcards/],
  [q('name eq 5'), /name compares with a string/],
  [q("c8y_IsBinary eq 'x'"), /has\(c8y_IsBinary\)/],
  [q('$orderby=c8y_IsBinary'), /cannot order by c8y_IsBinary/],
  [q("(name eq 'a'"), /ends too early/],
  [q("name eq 'a' $top=1"), /\$top= is not supported/],
  [`q=${e("name eq 'a")}`, /no closing quote/],
];
