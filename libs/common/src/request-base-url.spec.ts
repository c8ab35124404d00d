import type { Request } from 'express';
import { PUBLIC_URL_SETTING, requestBaseUrl, requestUrl } from './request-base-url';

function fakeRequest(host: string | undefined, options: { publicUrl?: string; url?: string } = {}): Request {
  const settings: Record<string, unknown> = { [PUBLIC_URL_SETTING]: options.publicUrl };
  return {
    host,
    protocol: 'http',
    originalUrl: options.url ?? '/x?a=1',
    app: { get: (name: string) => settings[name] },
    socket: { localAddress: '::ffff:10.0.0.7', localPort: 8080 },
  } as unknown as Request;
}

describe('requestBaseUrl', () => {
  it.each(['depot.example', 'Depot.Example:80', '10.0.0.1:8443', '[::1]:8080', 'my_host', 'a-b.c'])(
    'keeps the well-formed Host %j',
    (host) => {
      expect(requestBaseUrl(fakeRequest(host))).toBe(`http://${host}`);
    },
  );

  it.each([
    undefined,
    '',
    'exa mple',
    '[::1',
    '[zz]',
    'a:99999',
    'a:',
    '%zz',
    'a/b',
    'u@h',
    'a?b',
    'a#b',
    '-a',
  ])('falls back to the listening address for %j', (host) => {
    expect(requestBaseUrl(fakeRequest(host))).toBe('http://[::ffff:10.0.0.7]:8080');
  });

  it('uses PUBLIC_URL whatever the Host says', () => {
    expect(requestBaseUrl(fakeRequest('evil.example', { publicUrl: 'https://depot.example/iot' }))).toBe(
      'https://depot.example/iot',
    );
  });
});

describe('requestUrl', () => {
  it('puts the path and query on the base, a PUBLIC_URL prefix included', () => {
    expect(requestUrl(fakeRequest('h', { publicUrl: 'https://depot.example/iot' })).href).toBe(
      'https://depot.example/iot/x?a=1',
    );
  });

  it('keeps only the path of an absolute-form target, and a // path as a path', () => {
    expect(requestUrl(fakeRequest('h', { url: 'http://other.example/y?b=2' })).href).toBe('http://h/y?b=2');
    expect(requestUrl(fakeRequest('h', { url: '//other.example/y' })).href).toBe('http://h//other.example/y');
  });
});
