import { createHmac } from 'node:crypto';
import { signSessionToken, verifySessionToken, type SessionClaims } from './session-token';

const KEY = Buffer.alloc(32, 7);
const CLAIMS: SessionClaims = {
  sid: 's1',
  ten: 'management',
  sub: 'admin',
  xsrf: 'x1',
  iat: 1000,
  exp: 2000,
};

function forge(header: object, payload: object, key = KEY): string {
  const body = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('session tokens (JWT HS256)', () => {
  it('round-trips the claims before expiry', () => {
    const token = signSessionToken(CLAIMS, KEY);
    expect(token.split('.')).toHaveLength(3);
    expect(verifySessionToken(token, KEY, 1999)).toEqual(CLAIMS);
  });

  it('refuses an expired token, another key, a changed payload or signature', () => {
    const token = signSessionToken(CLAIMS, KEY);
    expect(verifySessionToken(token, KEY, 2000)).toBeUndefined();
    expect(verifySessionToken(token, Buffer.alloc(32, 8), 1500)).toBeUndefined();
    const [header, , sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...CLAIMS, sub: 'root' })).toString('base64url');
    expect(verifySessionToken(`${header}.${other}.${sig}`, KEY, 1500)).toBeUndefined();
    expect(verifySessionToken(`${token.slice(0, -2)}AA`, KEY, 1500)).toBeUndefined();
  });

  it.each([
    ['alg none', forge({ alg: 'none', typ: 'JWT' }, CLAIMS)],
    ['another header', forge({ typ: 'JWT', alg: 'HS256' }, CLAIMS)],
    ['a missing claim', forge({ alg: 'HS256', typ: 'JWT' }, { ...CLAIMS, xsrf: undefined })],
    ['a mistyped claim', forge({ alg: 'HS256', typ: 'JWT' }, { ...CLAIMS, exp: '2000' })],
    ['not JSON', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGpzb24.x'],
    ['two parts', 'a.b'],
    ['a huge token', 'a'.repeat(5000)],
  ])('refuses %s', (_name, token) => {
    expect(verifySessionToken(token, KEY, 1500)).toBeUndefined();
  });
});
