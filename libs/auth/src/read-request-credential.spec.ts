import { readRequestCredential } from './read-request-credential';
import { readCookie } from './session-cookies';

describe('readRequestCredential', () => {
  it.each([
    [{}, { kind: 'none', browser: false }],
    [{ 'x-xsrf-token': '' }, { kind: 'none', browser: true }],
    [{ 'x-requested-with': 'XMLHttpRequest' }, { kind: 'none', browser: true }],
    [{ authorization: 'Basic YTpi' }, { kind: 'basic', header: 'Basic YTpi' }],
    [{ authorization: 'bearer a.b.c' }, { kind: 'bearer', token: 'a.b.c' }],
    [{ authorization: 'Bearer' }, { kind: 'basic', header: 'Bearer' }],
    [{ cookie: 'x=1; authorization=a.b.c; XSRF-TOKEN=t' }, { kind: 'cookie', token: 'a.b.c' }],
    [
      { cookie: 'authorization=', 'x-xsrf-token': 't' },
      { kind: 'none', browser: true },
    ],
    [
      { authorization: 'Bearer h.h.h', cookie: 'authorization=c.c.c' },
      { kind: 'bearer', token: 'h.h.h' },
    ],
  ])('%j → %j', (headers, expected) => {
    expect(readRequestCredential(headers)).toEqual(expected);
  });

  it('reads a cookie by its exact name only', () => {
    expect(readCookie('xauthorization=1; authorization=2', 'authorization')).toBe('2');
    expect(readCookie(' XSRF-TOKEN = v ;a=b', 'XSRF-TOKEN')).toBe('v');
    expect(readCookie('xsrf-token=v', 'XSRF-TOKEN')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });
});
