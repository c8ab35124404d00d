import { hashPassword, verifyPassword } from './hash-password';

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('correct horse', first)).toBe(true);
    expect(await verifyPassword('correct horsE', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it.each(['', 'plain', 'bcrypt$x$y', 'scrypt$1$1$1$AA==$AA==', 'scrypt$16384$8$1$$'])(
    'rejects a damaged or foreign hash %j instead of throwing',
    async (stored) => {
      expect(await verifyPassword('anything', stored)).toBe(false);
    },
  );
});
