import { etagMatches } from './etag-matches';

describe('etagMatches', () => {
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
