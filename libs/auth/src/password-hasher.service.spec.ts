import type { AuthModuleOptions } from './auth.options';
import { PasswordHasher } from './password-hasher.service';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ hashThreads: 1, hashQueueLength: 10 } as AuthModuleOptions);
  afterAll(() => hasher.onApplicationShutdown());

  it('verifies the right password only, with a fresh salt each time', async () => {
    const first = await hasher.hash('correct horse');
    const second = await hasher.hash('correct horse');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(await hasher.verify('correct horse', first)).toBe(true);
    expect(await hasher.verify('correct horsE', first)).toBe(false);
    expect(await hasher.verify('', first)).toBe(false);
  });

  it('treats canonically equal passwords alike (NFC)', async () => {
    const stored = await hasher.hash('caf\u00e9');
    expect(await hasher.verify('cafe\u0301', stored)).toBe(true);
  });

  it.each(['', 'plain', 'bcrypt$x$y', 'scrypt$1$1$1$AA==$AA==', 'scrypt$16384$8$1$$'])(
    'rejects a damaged or foreign hash %j instead of throwing',
    async (stored) => {
      expect(await hasher.verify('anything', stored)).toBe(false);
    },
  );

  it('does a full hash for an unknown user, and never accepts', async () => {
    const before = hasher.derivations;
    expect(await hasher.verifyNobody('whatever')).toBe(false);
    expect(hasher.derivations).toBe(before + 1);
  });
});
