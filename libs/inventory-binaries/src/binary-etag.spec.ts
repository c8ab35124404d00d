import { binaryEtag } from './binary-etag';

describe('binary ETag', () => {
  it('is the quoted SHA-256 of the content', () => {
    expect(binaryEtag({ id: '1', revpos: 2, sha256: 'ab'.repeat(32) })).toBe(`"${'ab'.repeat(32)}"`);
  });
});
