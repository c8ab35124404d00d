import { CumulocityError } from '@depot/common';
import { parseManagedObjectId } from './parse-managed-object-id';

describe('parseManagedObjectId', () => {
  it.each(['1', '42', '999999999999999999'])('accepts %s', (raw) => {
    expect(parseManagedObjectId(raw)).toBe(raw);
  });

  it.each(['', '0', '-1', 'abc', '1.5', '01', '1e3', '9999999999999999999', ' 1'])(
    'rejects %j with 404',
    (raw) => {
      expect(() => parseManagedObjectId(raw)).toThrow(CumulocityError);
      try {
        parseManagedObjectId(raw);
      } catch (error) {
        expect((error as CumulocityError).status).toBe(404);
        expect((error as CumulocityError).error).toBe('inventory/Not Found');
      }
    },
  );
});
