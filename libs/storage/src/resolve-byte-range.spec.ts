import { resolveByteRange } from './resolve-byte-range';
import { StorageRangeError } from './storage.errors';

describe('resolveByteRange', () => {
  it.each([
    [{ start: 0, end: 0 }, 10, { start: 0, end: 0 }],
    [{ start: 3, end: 6 }, 10, { start: 3, end: 6 }],
    [{ start: 9, end: 9 }, 10, { start: 9, end: 9 }],
    [{ start: 8, end: 100 }, 10, { start: 8, end: 9 }],
    [{ suffixLength: 4 }, 10, { start: 6, end: 9 }],
    [{ suffixLength: 40 }, 10, { start: 0, end: 9 }],
  ])('resolves %j of %d bytes', (range, length, expected) => {
    expect(resolveByteRange('k', range, length)).toEqual(expected);
  });

  it.each([
    [{ start: 10, end: 12 }, 10],
    [{ start: 5, end: 4 }, 10],
    [{ start: -1, end: 4 }, 10],
    [{ start: 0, end: 0 }, 0],
    [{ suffixLength: 0 }, 10],
    [{ suffixLength: 3 }, 0],
    [{ start: 0.5, end: 4 }, 10],
  ])('refuses %j of %d bytes', (range, length) => {
    expect(() => resolveByteRange('k', range, length)).toThrow(StorageRangeError);
  });
});
