import type { HostedFile } from './hosted-app-files.service';
import { hostedCacheControl, hostedFileDownload } from './hosted-file-download';

describe('hostedFileDownload', () => {
  const file: HostedFile = {
    name: 'remoteEntry.js',
    absolutePath: '/nowhere/remoteEntry.js',
    length: 100,
    etag: '"7-abc"',
    lastModified: new Date(0),
    pinned: false,
    precompressed: { br: { absolutePath: '/nowhere/remoteEntry.js.br', length: 40, etag: '"7-abc-br"' } },
  };

  it('asks for revalidation by default, whatever the file says about itself', () => {
    expect(hostedFileDownload(file).headers['Cache-Control']).toBe('no-cache');
    expect(hostedFileDownload({ ...file, pinned: true }).headers['Cache-Control']).toBe('no-cache');
  });

  it('caches for a year, immutable, only when the caller says the URL is pinned to a version', () => {
    expect(hostedFileDownload(file, { pinned: true }).headers['Cache-Control']).toBe(
      'private, max-age=31536000, immutable',
    );
    // Responses to requests without credentials may be kept by shared caches too.
    expect(hostedCacheControl({ pinned: true, publicScope: true })).toBe(
      'public, max-age=31536000, immutable',
    );
    expect(hostedCacheControl({ pinned: false, publicScope: true })).toBe('no-cache');
  });

  it('picks the precompressed copy by Accept-Encoding, never for a range', () => {
    const br = hostedFileDownload(file, { acceptEncoding: 'gzip, br' });
    expect(br).toMatchObject({ contentEncoding: 'br', length: 40, etag: '"7-abc-br"' });
    expect(br.contentType).toMatch(/javascript/);
    expect(br.headers.Vary).toBe('Accept-Encoding');
    const ranged = hostedFileDownload(file, { acceptEncoding: 'br', ranged: true });
    expect(ranged).toMatchObject({ contentEncoding: undefined, length: 100, etag: '"7-abc"' });
    expect(ranged.headers.Vary).toBe('Accept-Encoding');
    expect(hostedFileDownload({ ...file, precompressed: {} }).headers.Vary).toBeUndefined();
  });
});
