import { CumulocityError } from '@depot/common';
import { assertNoTagConflict, parseTags, parseVersionName, parseVersionSelector } from './version-rules';

function statusOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof CumulocityError) return error.status;
    throw error;
  }
}

describe('version rules', () => {
  it.each([
    ['1.0.0', 'ok'],
    ['1.0.0+build.7', 'ok'],
    ['1023-stable', 'ok'],
    ['V2', 'ok'],
    ['', 422],
    ['1.0 beta', 422],
    ['1/0', 422],
    ['1_0', 422],
    ['ä', 422],
    ['latest', 422],
    ['x'.repeat(256), 422],
    [7, 422],
  ] as const)('version %j → %s', (version, expected) => {
    expect(statusOf(() => parseVersionName(version))).toBe(expected);
  });

  it('takes a tag array, keeps its order and drops repeats; refuses anything else (422)', () => {
    expect(parseTags(['next', 'latest', 'next'])).toEqual(['next', 'latest']);
    expect(parseTags([])).toEqual([]);
    expect(statusOf(() => parseTags('latest'))).toBe(422);
    expect(statusOf(() => parseTags(['ok', 'not ok']))).toBe(422);
    expect(statusOf(() => parseTags([1]))).toBe(422);
  });

  it('selects by version or tag, refusing both (422)', () => {
    expect(parseVersionSelector({ version: '1.0.0' })).toEqual({ version: '1.0.0' });
    expect(parseVersionSelector({ tag: 'next' })).toEqual({ tag: 'next' });
    expect(parseVersionSelector({})).toBeUndefined();
    expect(statusOf(() => parseVersionSelector({ version: '1', tag: 'x' }))).toBe(422);
  });

  describe('tag conflicts with other versions (409)', () => {
    const others = [
      { version: '1.0.0', tags: ['latest', 'stable'] },
      { version: '1.1.0', tags: [] },
    ];
    it.each([
      ['a tag another version holds', '2.0.0', ['stable'], 409],
      ['a tag equal to another version', '2.0.0', ['1.1.0'], 409],
      ["a version equal to another version's tag", 'stable', [], 409],
      ['latest, which moves', '2.0.0', ['latest'], 'ok'],
      ['new tags', '2.0.0', ['next', 'rc'], 'ok'],
    ] as const)('%s', (_label, version, tags, expected) => {
      expect(statusOf(() => assertNoTagConflict(version, tags, others))).toBe(expected);
    });
  });
});
