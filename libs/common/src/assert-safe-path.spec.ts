import { assertSafeRelativePath, resolveInside, UnsafePathError } from './assert-safe-path';

describe('assertSafeRelativePath', () => {
  it.each([
    ['index.html', ['index.html']],
    ['a/b/c.js', ['a', 'b', 'c.js']],
    ['plugin/cumulocity.json', ['plugin', 'cumulocity.json']],
    ['ünïcødé/файл.txt', ['ünïcødé', 'файл.txt']],
    ['..hidden/x', ['..hidden', 'x']],
  ])('accepts %j', (candidate, segments) => {
    expect(assertSafeRelativePath(candidate)).toEqual(segments);
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['../x', 'dot segment'],
    ['a/../../x', 'dot segment'],
    ['a/./b', 'dot segment'],
    ['..', 'dot segment'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a\\b', 'backslash'],
    ['..\\..\\x', 'backslash'],
    ['C:/windows', 'drive letter'],
    ['a\u0000b', 'control character'],
    ['a\nb', 'control character'],
  ])('rejects %j (%s)', (candidate, reason) => {
    expect(() => assertSafeRelativePath(candidate)).toThrow(UnsafePathError);
    try {
      assertSafeRelativePath(candidate);
    } catch (error) {
      expect((error as UnsafePathError).reason).toBe(reason);
    }
  });

  it('allows a trailing slash only when asked (zip directory entries)', () => {
    expect(assertSafeRelativePath('dir/', { allowTrailingSlash: true })).toEqual(['dir']);
    expect(() => assertSafeRelativePath('dir/')).toThrow(UnsafePathError);
  });
});

describe('resolveInside', () => {
  it('resolves below the root', () => {
    expect(resolveInside('/data/blobs', 't1/ab/cd')).toBe('/data/blobs/t1/ab/cd');
  });
  it('refuses escapes', () => {
    expect(() => resolveInside('/data/blobs', '../blobs2/x')).toThrow(UnsafePathError);
  });
});
