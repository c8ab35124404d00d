import { InventoryQuerySql, likePattern } from './inventory-query-sql';
import { parseInventoryQuery } from './parse-inventory-query';

const translate = (text: string): { sql: string; parameters: Record<string, unknown> } => {
  const sql = new InventoryQuerySql();
  const { filter } = parseInventoryQuery(text);
  return { sql: sql.condition(filter!), parameters: sql.parameters };
};

describe('InventoryQuerySql', () => {
  it.each([
    ["name eq 'x'' OR 1=1 --'", "x' OR 1=1 --"],
    ["c8y_Evil.a eq 'DROP TABLE managed_objects'", 'DROP TABLE managed_objects'],
    ["type eq 'a%b*'", 'a\\%b%'],
  ])('binds %s as a parameter, never as SQL text', (query, bound) => {
    const { sql, parameters } = translate(query);
    expect(sql).not.toContain(bound);
    expect(sql).not.toMatch(/c8y_Evil|DROP|OR 1=1/);
    expect(JSON.stringify(Object.values(parameters))).toContain(JSON.stringify(bound).slice(1, -1));
  });

  it.each([
    ["name eq 'a'", 'mo.name = :iq0', { iq0: 'a' }],
    ["name ne 'a'", 'mo.name IS DISTINCT FROM :iq0', { iq0: 'a' }],
    ["not name eq 'a*'", '(mo.name IS NULL OR mo.name NOT LIKE :iq0)', { iq0: 'a%' }],
    ['has(c8y_X)', '(mo.fragments ? :iq0)', { iq0: 'c8y_X' }],
    ['not has(c8y_IsBinary)', 'mo.storage_key IS NULL', {}],
    [
      "not (type eq 'a' or has(c8y_X))",
      '(mo.type IS DISTINCT FROM :iq0 AND NOT (mo.fragments ? :iq1))',
      { iq0: 'a', iq1: 'c8y_X' },
    ],
    [
      'c8y_X.n eq 5',
      '(mo.fragments @> CAST(:iq0 AS jsonb) OR mo.fragments @> CAST(:iq1 AS jsonb))',
      { iq0: '{"c8y_X":{"n":5}}', iq1: '{"c8y_X":{"n":[5]}}' },
    ],
    ["id eq 'abc'", 'FALSE', {}],
    ['id eq 9007199254740993', 'mo.id = :iq0', { iq0: '9007199254740993' }],
    ['id eq 99999999999999999999', 'FALSE', {}],
    [
      "creationTime lt '2026-01-01T00:00:00Z'",
      'mo.creation_time < :iq0',
      { iq0: new Date('2026-01-01T00:00:00Z') },
    ],
    [
      "not creationTime lt '2026-01-01T00:00:00Z'",
      'mo.creation_time >= :iq0',
      { iq0: new Date('2026-01-01T00:00:00Z') },
    ],
  ])('%s is %s', (query, sql, parameters) => {
    expect(translate(query)).toEqual({ sql, parameters });
  });

  it('escapes LIKE characters and joins wildcard segments with %', () => {
    expect(likePattern(['50%_', 'a\\b'])).toBe('50\\%\\_%a\\\\b');
  });
});
