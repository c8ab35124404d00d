import { Role, type Principal } from '@depot/common';
import { CredentialsCache } from './credentials-cache';

const alice: Principal = { tenantId: 't1', userName: 'alice', roles: [Role.InventoryRead] };
const bob: Principal = { tenantId: 't1', userName: 'bob', roles: [] };

describe('CredentialsCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('returns a cached principal until it expires', () => {
    const cache = new CredentialsCache(10_000, clock);
    cache.set('Basic a', alice);
    expect(cache.get('Basic a')).toBe(alice);
    expect(cache.get('Basic other')).toBeUndefined();
    now += 10_000;
    expect(cache.get('Basic a')).toBeUndefined();
  });

  it('never keeps an entry beyond its notAfter (a session token expiring before the cache would)', () => {
    const cache = new CredentialsCache(10_000, clock);
    cache.set('session a', alice, cache.generation, now + 500);
    expect(cache.get('session a')).toBe(alice);
    now += 500;
    expect(cache.get('session a')).toBeUndefined();
  });

  it('forgets one user (every header that logged them in) and keeps others', () => {
    const cache = new CredentialsCache(10_000, clock);
    cache.set('Basic a1', alice);
    cache.set('Basic a2', alice);
    cache.set('Basic b', bob);
    cache.invalidateUser('t1', 'alice');
    expect(cache.get('Basic a1')).toBeUndefined();
    expect(cache.get('Basic a2')).toBeUndefined();
    expect(cache.get('Basic b')).toBe(bob);
    cache.invalidateTenant('t1');
    expect(cache.get('Basic b')).toBeUndefined();
  });

  it('stores nothing with a zero TTL', () => {
    const cache = new CredentialsCache(0, clock);
    cache.set('Basic a', alice);
    expect(cache.get('Basic a')).toBeUndefined();
  });

  it('does not cache a login verified across an invalidation', () => {
    const cache = new CredentialsCache(10_000, clock);
    const generation = cache.generation;
    cache.invalidateUser('t1', 'alice'); // e.g. the password changed while the login was verified
    cache.set('Basic a', alice, generation);
    expect(cache.get('Basic a')).toBeUndefined();
    cache.set('Basic a', alice, cache.generation);
    expect(cache.get('Basic a')).toBe(alice);
  });
});
