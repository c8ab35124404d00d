import { CumulocityError } from '@depot/common';

/** The tag that moves to the version that receives it and names the active version. */
export const LATEST_TAG = 'latest';

// Cumulocity's rule for versions and tags: letters, digits, ".", "+" and "-".
const VERSION_OR_TAG = /^[A-Za-z0-9.+-]+$/;
const MAX_LENGTH = 255;
const MAX_TAGS = 100;

function unacceptable(what: string, value: unknown): CumulocityError {
  return CumulocityError.invalidData(
    'applications',
    `${what} ${JSON.stringify(value)} contains unacceptable characters (allowed: letters, digits, ".", "+", "-"; at most ${MAX_LENGTH})`,
  );
}

/** A version string (422 unless it follows the character rule; `latest` is the tag's). */
export function parseVersionName(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !VERSION_OR_TAG.test(value))
    throw unacceptable('The version', value);
  if (value === LATEST_TAG)
    throw CumulocityError.invalidData('applications', `"${LATEST_TAG}" is a tag and cannot be a version`);
  return value;
}

/** A tag list (422 unless an array of valid tags); duplicates are dropped, order kept. */
export function parseTags(value: unknown): string[] {
  if (!Array.isArray(value)) throw CumulocityError.invalidData('applications', '"tags" must be an array');
  if (value.length > MAX_TAGS)
    throw CumulocityError.invalidData('applications', `"tags" may hold at most ${MAX_TAGS} tags`);
  for (const tag of value as unknown[])
    if (typeof tag !== 'string' || tag.length > MAX_LENGTH || !VERSION_OR_TAG.test(tag))
      throw unacceptable('The tag', tag);
  return [...new Set(value as string[])];
}

/** What a version or tag selector (`?version=` / `?tag=`) asks for. */
export type VersionSelector = { version: string } | { tag: string };

/** `?version=X` or `?tag=Y`, exactly one (422 for both); `undefined` when neither is given. */
export function parseVersionSelector(query: { version?: string; tag?: string }): VersionSelector | undefined {
  const { version, tag } = query;
  if (version !== undefined && tag !== undefined)
    throw CumulocityError.invalidData('applications', 'Give either "version" or "tag", not both');
  if (version !== undefined) return { version };
  if (tag !== undefined) return { tag };
  return undefined;
}

/** The version a conflict check sees of another version. */
interface OtherVersion {
  version: string;
  tags: readonly string[];
}

/**
 * 409 `applications/Duplicate` when `tags` (of version `version`) clash with `others`: a tag held by
 * another version (except `latest`, which moves), a tag equal to another version string, or the
 * version string equal to another version's tag.
 */
export function assertNoTagConflict(version: string, tags: readonly string[], others: OtherVersion[]): void {
  for (const other of others) {
    const clash =
      tags.find((tag) => tag === other.version) ??
      tags.find((tag) => tag !== LATEST_TAG && other.tags.includes(tag)) ??
      (other.tags.includes(version) ? version : undefined);
    if (clash !== undefined)
      throw CumulocityError.conflict(
        'applications',
        `Version or tag for this application already exists: "${clash}" is used by version ${other.version}`,
        'Duplicate',
      );
  }
}
