import { scryptSync } from 'node:crypto';
import { HashQueueFullError, ScryptError, ScryptPool, type ScryptJob } from './scrypt-pool';

const job = (password: string, options: ScryptJob['options'] = { N: 1024, r: 8, p: 1 }): ScryptJob => ({
  password,
  salt: Buffer.from('0123456789abcdef'),
  keyLength: 32,
  options,
});

describe('ScryptPool', () => {
  let pool: ScryptPool;
  afterEach(async () => {
    await pool?.close();
  });

  it('derives what crypto.scryptSync derives, and counts the derivations', async () => {
    pool = new ScryptPool(2, 10);
    const keys = await Promise.all(['a', 'b', 'c'].map((password) => pool.derive(job(password))));
    expect(keys.map((key) => key.toString('hex'))).toEqual(
      ['a', 'b', 'c'].map((password) =>
        scryptSync(password, job(password).salt, 32, { N: 1024, r: 8, p: 1 }).toString('hex'),
      ),
    );
    expect(pool.derivations).toBe(3);
  });

  it('refuses at once, with a 503, what would wait beyond the queue limit', async () => {
    pool = new ScryptPool(1, 2);
    const accepted = [pool.derive(job('1')), pool.derive(job('2')), pool.derive(job('3'))]; // 1 runs, 2 wait
    const refused = pool.derive(job('4'));
    await expect(refused).rejects.toBeInstanceOf(HashQueueFullError);
    await expect(refused).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    await expect(Promise.all(accepted)).resolves.toHaveLength(3);
    expect(pool.derivations).toBe(3);
    // Room again once the queue drained.
    await expect(pool.derive(job('5'))).resolves.toHaveLength(32);
  });

  it('fails a derivation the worker cannot do, and keeps working', async () => {
    pool = new ScryptPool(1, 2);
    await expect(pool.derive(job('x', { N: 1000, r: 8, p: 1 }))).rejects.toBeInstanceOf(ScryptError);
    await expect(pool.derive(job('x'))).resolves.toHaveLength(32);
  });

  it('rejects what still waits when it closes', async () => {
    pool = new ScryptPool(1, 5);
    const running = expect(pool.derive(job('a', { N: 16384, r: 8, p: 1 }))).rejects.toThrow('exited');
    const waiting = expect(pool.derive(job('b'))).rejects.toThrow('closed');
    await pool.close();
    await Promise.all([running, waiting]);
    await expect(pool.derive(job('c'))).rejects.toThrow('closed');
  });
});
