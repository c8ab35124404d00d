import { isEntityId } from './entity-id';

describe('isEntityId', () => {
  it.each(['1', '42', '999999999999999999'])('accepts %s', (id) => expect(isEntityId(id)).toBe(true));
  it.each(['0', '007', '-1', '1.5', '1e3', '', ' 1', '1234567890123456789', 'abc'])('refuses %j', (id) =>
    expect(isEntityId(id)).toBe(false),
  );
  it('refuses what is not a string', () => expect(isEntityId(42)).toBe(false));
});
