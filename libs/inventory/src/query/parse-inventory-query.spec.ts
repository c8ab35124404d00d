import { CumulocityError } from '@depot/common';
import { parseInventoryQuery, type InventoryQuery, type QueryNode } from './parse-inventory-query';

const eq = (path: string, ...segments: string[]): QueryNode => ({
  kind: 'compare',
  operator: 'eq',
  path: path.split('.'),
  value: { kind: 'string', segments },
});

describe('parseInventoryQuery', () => {
  it.each<[string, InventoryQuery]>([
    ["$filter=(name eq 'RaspPi*')", { filter: eq('name', 'RaspPi', ''), orderBy: [] }],
    ["name eq 'a b'", { filter: eq('name', 'a b'), orderBy: [] }],
    ["$filter=(name eq 'it''s')", { filter: eq('name', "it's"), orderBy: [] }],
    ["$filter=name eq 'a\\*b\\(c\\)\\\\'", { filter: eq('name', 'a*b(c)\\'), orderBy: [] }],
    ["$filter=type eq '*'", { filter: eq('type', '', ''), orderBy: [] }],
    ["c8y_Hardware.serialNumber eq 'X1'", { filter: eq('c8y_Hardware.serialNumber', 'X1'), orderBy: [] }],
    ['has(c8y_IsDevice)', { filter: { kind: 'has', path: ['c8y_IsDevice'] }, orderBy: [] }],
    [
      '$filter=(has(c8y_IsDevice)+or+has(c8y_DistanceSensor))',
      {
        filter: {
          kind: 'or',
          operands: [
            { kind: 'has', path: ['c8y_IsDevice'] },
            { kind: 'has', path: ['c8y_DistanceSensor'] },
          ],
        },
        orderBy: [],
      },
    ],
    [
      "a eq 'x' or b eq 'y' and not c eq 'z'",
      {
        filter: {
          kind: 'or',
          operands: [
            eq('a', 'x'),
            { kind: 'and', operands: [eq('b', 'y'), { kind: 'not', operand: eq('c', 'z') }] },
          ],
        },
        orderBy: [],
      },
    ],
    [
      "(a eq 'x' or b eq 'y') and not(c eq 'z')",
      {
        filter: {
          kind: 'and',
          operands: [
            { kind: 'or', operands: [eq('a', 'x'), eq('b', 'y')] },
            { kind: 'not', operand: eq('c', 'z') },
          ],
        },
        orderBy: [],
      },
    ],
    [
      'c8y_Count ne 5f',
      {
        filter: {
          kind: 'compare',
          operator: 'ne',
          path: ['c8y_Count'],
          value: { kind: 'number', value: 5, text: '5' },
        },
        orderBy: [],
      },
    ],
    [
      'c8y_Flag eq TRUE',
      {
        filter: {
          kind: 'compare',
          operator: 'eq',
          path: ['c8y_Flag'],
          value: { kind: 'boolean', value: true },
        },
        orderBy: [],
      },
    ],
    [
      "creationTime.date gt '2026-01-01T00:00:00Z'",
      {
        filter: {
          kind: 'compare',
          operator: 'gt',
          path: ['creationTime', 'date'],
          value: { kind: 'string', segments: ['2026-01-01T00:00:00Z'] },
        },
        orderBy: [],
      },
    ],
    [
      "$filter=(type eq 'x') $orderby=name desc, creationTime,c8y_X.n asc",
      {
        filter: eq('type', 'x'),
        orderBy: [
          { path: ['name'], direction: 'desc' },
          { path: ['creationTime'], direction: 'asc' },
          { path: ['c8y_X', 'n'], direction: 'asc' },
        ],
      },
    ],
    ['$orderby=id DESC', { orderBy: [{ path: ['id'], direction: 'desc' }] }],
    ['', { orderBy: [] }],
  ])('%s', (text, expected) => {
    expect(parseInventoryQuery(text)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['bygroupid(10300)', /function bygroupid\(\) is not supported/],
    ['$filter=(hasany(a,b))', /function hasany\(\) is not supported/],
    ["name in ('a','b')", /operator in is not supported/],
    ["name like 'a'", /operator like is not supported/],
    ["name foo 'a'", /expected an operator/],
    ["name eq 'a", /no closing quote/],
    ["(name eq 'a'", /ends too early/],
    ["(name eq 'a' name", /expected a closing parenthesis/],
    ["name eq 'a')", /unexpected "\)"/],
    ['name eq', /ends too early/],
    ['name eq x', /expected a value/],
    ["name eq 'a' $top=5", /\$top= is not supported/],
    ["$filter=name eq 'a' $filter=name eq 'b'", /\$filter= is given twice/],
    ['$orderby=', /ends too early/],
    ['$orderby=name sideways', /unexpected sideways/],
    ["name eq 'a' ; drop table x", /unexpected ";"/],
    ['has(a.b, c)', /one fragment name/],
    ['has()', /takes a fragment name/],
    [`${'not '.repeat(40)}has(a)`, /nests deeper than 32/],
    [`${'('.repeat(40)}has(a)${')'.repeat(40)}`, /nests deeper than 32/],
    ['c8y_N eq 5abc', /unexpected "5"/],
  ])('%s is a 422 saying %s', (text, message) => {
    expectInvalid(text, message);
  });

  it('refuses a query longer than 4096 characters', () => {
    expectInvalid(`name eq '${'x'.repeat(5000)}'`, /at most 4096/);
  });
});

function expectInvalid(text: string, message: RegExp): void {
  let error: unknown;
  try {
    parseInventoryQuery(text);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CumulocityError);
  expect(error).toMatchObject({
    status: 422,
    error: 'inventory/Invalid Data',
    message: expect.stringMatching(message),
  });
}
