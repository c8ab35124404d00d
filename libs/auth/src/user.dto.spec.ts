import { assertValidPassword, MIN_PASSWORD_LENGTH, parseUpdateCurrentUserDto } from './user.dto';

describe('assertValidPassword', () => {
  it('holds API passwords to the same minimum as the bootstrap password (8)', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(() => assertValidPassword('1234567')).toThrow('password must be 8-256 characters');
    expect(assertValidPassword('12345678')).toBe('12345678');
    expect(() => assertValidPassword('x'.repeat(257))).toThrow();
    expect(() => assertValidPassword(12345678)).toThrow();
  });
});

describe('parseUpdateCurrentUserDto', () => {
  const current = { userName: 'jane', enabled: true };

  it('takes the profile fields, clears with empty or null, ignores read-only echoes', () => {
    expect(
      parseUpdateCurrentUserDto(
        {
          id: 'jane',
          self: 'http://x/user/currentUser',
          userName: 'jane',
          enabled: true,
          effectiveRoles: [{ id: 'ROLE_X' }],
          lastPasswordChange: '2026-01-01T00:00:00Z',
          displayName: 'Jane D.',
          firstName: 'Jane',
          lastName: null,
          email: '',
          phone: '+1',
        },
        current,
      ),
    ).toEqual({ firstName: 'Jane', lastName: '', email: '', phone: '+1' });
  });

  it('takes a password only with currentUserPassword, held to the password rules', () => {
    expect(
      parseUpdateCurrentUserDto({ password: 'new-pass-1', currentUserPassword: 'old' }, current),
    ).toEqual({
      password: { currentUserPassword: 'old', newPassword: 'new-pass-1' },
    });
    expect(() => parseUpdateCurrentUserDto({ password: 'new-pass-1' }, current)).toThrow(
      'currentUserPassword',
    );
    expect(() =>
      parseUpdateCurrentUserDto({ password: 'short', currentUserPassword: 'old' }, current),
    ).toThrow('password must be');
  });

  it.each([
    [{ roles: {} }, 'roles'],
    [{ groups: {} }, 'groups'],
    [{ devicePermissions: {} }, 'devicePermissions'],
    [{ enabled: false }, 'enabled'],
    [{ userName: 'john' }, 'userName'],
    [{ phone: 7 }, 'phone'],
    [[], 'JSON object'],
  ])('refuses %j (%s)', (body, message) => {
    expect(() => parseUpdateCurrentUserDto(body, current)).toThrow(message);
  });
});
