import { binaryEtag, etagMatches } from './binary-etag';

describe('binary ETag', () => {
  it('is the quoted SHA-256 of the content', () => {
    expect(binaryEtag({ id: '1', revpos: 2, sha256: 'ab'.repeat(32) })).toBe(`"${'ab'.repeat(32)}"`);
  });

  it.each([
    ['"a"', '"a"', false, true],
    ['"b", "a"', '"a"', false, true],
    ['*', '"a"', false, true],
    ['W/"a"', '"a"', false, false],
    ['W/"a"', '"a"', true, true],
    ['"b"', '"a"', true, false],
    ['', '"a"', true, false],
  ])('%j against %s (weak %s) matches: %s', (header, etag, weak, expected) => {
    expect(etagMatches(header, etag, weak)).toBe(expected);
  });
});
