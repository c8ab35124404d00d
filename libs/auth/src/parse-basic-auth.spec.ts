import { parseBasicAuth } from './parse-basic-auth';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseBasicAuth', () => {
  it.each([
    [`Basic ${b64('t1/alice:pw')}`, { tenant: 't1', userName: 'alice', password: 'pw' }],
    [`basic ${b64('alice:pw')}`, { userName: 'alice', password: 'pw' }],
    [`BASIC   ${b64('t1/alice:p:w/x')}`, { tenant: 't1', userName: 'alice', password: 'p:w/x' }],
    [`Basic ${b64('alice:')}`, { userName: 'alice', password: '' }],
    [`Basic ${b64('t1/ünï:pässwörd')}`, { tenant: 't1', userName: 'ünï', password: 'pässwörd' }],
  ])('reads %s', (header, expected) => {
    expect(parseBasicAuth(header)).toEqual(expected);
  });

  it.each([
    undefined,
    '',
    'Bearer x',
    'Basic',
    'Basic !!!',
    `Basic ${b64('no-colon')}`,
    `Basic ${b64(':pw')}`,
    `Basic ${b64('/alice:pw')}`,
    `Basic ${b64('t1/:pw')}`,
    // U+0000 in the user name, the tenant or the password
    `Basic ${b64('al\u0000ice:pw')}`,
    `Basic ${b64('t\u00001/alice:pw')}`,
    `Basic ${b64('alice:p\u0000w')}`,
  ])('refuses %s', (header) => {
    expect(parseBasicAuth(header)).toBeUndefined();
  });
});
