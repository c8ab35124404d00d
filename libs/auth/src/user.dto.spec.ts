import { assertValidPassword, MIN_PASSWORD_LENGTH } from './user.dto';

describe('assertValidPassword', () => {
  it('holds API passwords to the same minimum as the bootstrap password (8)', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(() => assertValidPassword('1234567')).toThrow('password must be 8-256 characters');
    expect(assertValidPassword('12345678')).toBe('12345678');
    expect(() => assertValidPassword('x'.repeat(257))).toThrow();
    expect(() => assertValidPassword(12345678)).toThrow();
  });
});
