import { selectEncoding, type PrecompressedEncoding } from './select-encoding';

describe('selectEncoding', () => {
  const both: PrecompressedEncoding[] = ['br', 'gzip'];

  it.each<[string | undefined, PrecompressedEncoding[], PrecompressedEncoding | undefined]>([
    [undefined, both, undefined],
    ['', both, undefined],
    ['identity', both, undefined],
    ['gzip, deflate, br, zstd', both, 'br'],
    ['gzip, deflate, br', ['gzip'], 'gzip'],
    ['gzip', both, 'gzip'],
    ['br;q=0, gzip', both, 'gzip'],
    ['br;q=0', both, undefined],
    ['gzip;q=1, br;q=0.5', both, 'gzip'],
    ['gzip;q=0.5, br;q=0.5', both, 'br'],
    ['*', both, 'br'],
    ['*;q=0, gzip', both, 'gzip'],
    ['br;q=0, *', both, 'gzip'],
    ['X-GZIP', ['gzip'], 'gzip'],
    ['GZip ; Q=0.8', ['gzip'], 'gzip'],
    ['gzip;q=bogus', ['gzip'], undefined],
    ['gzip;q=2', ['gzip'], undefined],
    ['br', [], undefined],
    ['deflate', both, undefined],
  ])('Accept-Encoding %j with %j available → %j', (header, available, expected) => {
    expect(selectEncoding(header, available)).toBe(expected);
  });
});
