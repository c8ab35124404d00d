import { CumulocityError } from './cumulocity-error';
import { readListFilters, unquoteFilterValue } from './list-filters';

describe('unquoteFilterValue', () => {
  it.each([
    ["'two words'", 'two words'],
    ["'it''s'", "it's"],
    ["''", ''],
    ['plain', 'plain'],
    ["it's", "it's"],
    ["'open", "'open"],
    ["'", "'"],
  ])('%s is %s', (raw, value) => {
    expect(unquoteFilterValue(raw)).toBe(value);
  });
});

describe('readListFilters', () => {
  const filters = { resource: 'things', implemented: ['name', 'type'] as const, refused: ['query'] };

  it('returns the implemented filters unquoted and leaves everything else alone', () => {
    expect(readListFilters({ name: "'a b'", pageSize: '3', unknown: 'x' }, filters)).toEqual({ name: 'a b' });
  });

  it('refuses a defined filter it does not implement, naming it', () => {
    let error: unknown;
    try {
      readListFilters({ name: 'a', query: '$filter=x' }, filters);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CumulocityError);
    expect(error).toMatchObject({ status: 422, message: expect.stringContaining('query') });
  });

  it('refuses a repeated filter', () => {
    expect(() => readListFilters({ type: ['a', 'b'] }, filters)).toThrow(/type must be given once/);
  });
});
