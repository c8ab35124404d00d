import { assertSafeRelativePath, CumulocityError, parseJsonText, UnsafePathError } from '@depot/common';
import { entryKey, MANIFEST_FILE, MAX_SEGMENT_BYTES, overlongSegment } from './entry-name';
import { inflateEntry } from './inflate-entry';
import { InvalidArchiveError } from './invalid-archive.error';
import { tooManyEntries, type ArchiveEntry, type ZipArchive } from './read-archive';
import { zipLength } from './write-zip';
import { dataLength, isStoredEntry, type EditedZipEntry, type StoredZipEntry } from './zip-entry';
import {
  FLAG_ENCRYPTED,
  LOCAL_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  unixFileType,
} from './zip-format';

export interface ArchiveLimits {
  /** Most entries (files and directories) an archive may hold. */
  maxEntries: number;
  /** Most bytes all entries may inflate to together, counted while inflating. */
  maxInflatedSize: number;
  /** Largest inflated/compressed ratio tolerated for data above `ratioThreshold` (default 200). */
  maxCompressionRatio?: number;
  /** Entries (and archives) that inflate to less than this are never judged by ratio (default 1 MiB). */
  ratioThreshold?: number;
}

export interface ArchiveEntryInfo {
  /** Entry name without a trailing slash, e.g. `assets/app.js` or `assets`. */
  name: string;
  isDirectory: boolean;
  /** Inflated size in bytes (0 for directories). */
  size: number;
}

export interface ValidatedArchive {
  entries: ArchiveEntryInfo[];
  /** Sum of the inflated sizes, as counted (header sizes for proven entries). */
  inflatedSize: number;
  /** The root `cumulocity.json`, parsed, when the archive has one. */
  manifest?: Record<string, unknown>;
}

export interface ValidateArchiveOptions {
  /**
   * Identities ({@link archiveEntryIdentity}) of entries already proven by an earlier full validation:
   * byte-identical copies of entries of a stored archive. A matching entry is not inflated; its header
   * size counts toward `maxInflatedSize` instead. Its name and header are checked like any other's.
   */
  provenEntries?: ReadonlySet<string>;
  /**
   * The compressed bytes of an entry kept from a stored archive that must be inflated all the same
   * (the root manifest, or one that is not proven); {@link validateEntries} only.
   */
  readStored?: (entry: StoredZipEntry) => Promise<Buffer>;
}

/** The fields that make an entry a byte-identical copy of one validated before. */
export interface ArchiveEntryIdentityFields {
  /** Full entry name as stored (adm-zip's `entryName`). */
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  /** Inflated size. */
  size: number;
}

/** Key of an entry in {@link ValidateArchiveOptions.provenEntries}. */
export function archiveEntryIdentity(entry: ArchiveEntryIdentityFields): string {
  return JSON.stringify([entry.name, entry.method, entry.crc >>> 0, entry.compressedSize, entry.size]);
}

const MAX_MANIFEST_SIZE = 1024 * 1024;
const DEFAULT_MAX_RATIO = 200;
const DEFAULT_RATIO_THRESHOLD = 1024 * 1024;

interface InflateBudget {
  remaining: number;
}

/**
 * The one archive validator, for uploaded application archives and plugin zips alike. Refuses (with
 * {@link InvalidArchiveError}, 422) anything that is not a plain tree of regular files: unsafe or
 * ambiguous names (absolute, `..`, backslashes, NUL, segments longer than 255 bytes, duplicates also
 * after Unicode normalisation and case folding, a file where a directory is needed), symlinks and
 * other special entries, encryption, too many entries, and bombs. Every entry is really inflated: the
 * byte count, CRC and ratio are taken from the inflated stream, never from the headers, and inflation
 * stops as soon as a limit is passed. The one exception is `options.provenEntries`: copies of entries
 * that already went through this.
 */
export async function validateArchive(
  archive: ZipArchive,
  limits: ArchiveLimits,
  options: ValidateArchiveOptions = {},
): Promise<ValidatedArchive> {
  if (archive.entries.length > limits.maxEntries)
    throw tooManyEntries(archive.entries.length, limits.maxEntries);
  for (const entry of archive.entries)
    if (entry.rawName.includes(0))
      throw new InvalidArchiveError('unsafe name', `entry name ${JSON.stringify(entry.name)}: NUL byte`);
  const checked = archive.entries.map((entry) => checkEntryHeader(entry));
  assertUnambiguousNames(checked);
  assertNoOverlap(archive.bytes, checked);
  return validateContent(checked, archive.bytes.length, limits, options);
}

/**
 * Validates the entries of an archive about to be written by {@link writeZip} (an edit of a stored
 * archive): the same checks as {@link validateArchive}, except those of a zip's byte layout, which
 * the writer lays out itself.
 */
export async function validateEntries(
  entries: readonly EditedZipEntry[],
  limits: ArchiveLimits,
  options: ValidateArchiveOptions = {},
): Promise<ValidatedArchive> {
  if (entries.length > limits.maxEntries) throw tooManyEntries(entries.length, limits.maxEntries);
  const checked = entries.map((entry) => checkEntryHeader(entry));
  assertUnambiguousNames(checked);
  return validateContent(checked, zipLength(entries), limits, options);
}

async function validateContent(
  checked: readonly CheckedEntry[],
  archiveLength: number,
  limits: ArchiveLimits,
  options: ValidateArchiveOptions,
): Promise<ValidatedArchive> {
  const maxRatio = limits.maxCompressionRatio ?? DEFAULT_MAX_RATIO;
  const ratioThreshold = limits.ratioThreshold ?? DEFAULT_RATIO_THRESHOLD;
  const budget: InflateBudget = { remaining: limits.maxInflatedSize };
  const entries: ArchiveEntryInfo[] = [];
  let manifestBytes: Buffer | undefined;
  for (const entry of checked) {
    if (entry.isDirectory) {
      entries.push({ name: entry.name, isDirectory: true, size: 0 });
      continue;
    }
    const capture = entry.name === MANIFEST_FILE;
    // The manifest is always inflated: its bytes are needed, not only its soundness.
    if (!capture && options.provenEntries?.has(archiveEntryIdentity(entry.zipEntry))) {
      // Trustworthy: the full validation that proved this entry refused headers that lie about sizes.
      const size = entry.zipEntry.size;
      charge(budget, size, limits.maxInflatedSize);
      entries.push({ name: entry.name, isDirectory: false, size });
      continue;
    }
    const label = JSON.stringify(entry.name);
    const header = entry.zipEntry;
    const data = await dataOf(header, options);
    let size = 0;
    const chunks: Buffer[] = [];
    const crc = await inflateEntry({ method: header.method, data }, label, (chunk) => {
      size += chunk.length;
      charge(budget, chunk.length, limits.maxInflatedSize);
      if (size > ratioThreshold && size > data.length * maxRatio)
        throw new InvalidArchiveError(
          'compression ratio',
          `entry ${label} has a suspicious compression ratio`,
        );
      if (size > header.size)
        throw new InvalidArchiveError(
          'size differs from header',
          `entry ${label} is larger than its header says`,
        );
      if (capture) {
        if (size > MAX_MANIFEST_SIZE)
          throw new InvalidArchiveError('invalid manifest', `${MANIFEST_FILE} is too large`);
        chunks.push(chunk);
      }
    });
    if (size !== header.size)
      throw new InvalidArchiveError(
        'size differs from header',
        `entry ${label} is smaller than its header says`,
      );
    if (crc !== header.crc >>> 0) throw new InvalidArchiveError('crc mismatch', `entry ${label}`);
    if (capture) manifestBytes = Buffer.concat(chunks);
    entries.push({ name: entry.name, isDirectory: false, size });
  }
  const inflatedSize = limits.maxInflatedSize - budget.remaining;
  if (inflatedSize > ratioThreshold && inflatedSize > archiveLength * maxRatio)
    throw new InvalidArchiveError('compression ratio', 'suspicious overall compression ratio');
  if (!entries.some((entry) => !entry.isDirectory))
    throw new InvalidArchiveError('empty', 'the archive contains no files');

  return { entries, inflatedSize, manifest: manifestBytes && parseManifest(manifestBytes) };
}

/** The compressed bytes to inflate: in memory, or read from the stored archive. */
async function dataOf(entry: EditedZipEntry, options: ValidateArchiveOptions): Promise<Buffer> {
  if (!isStoredEntry(entry)) return entry.data;
  if (!options.readStored) throw new Error('validateEntries: a kept entry needs readStored');
  const data = await options.readStored(entry);
  if (data.length !== entry.compressedSize)
    throw new InvalidArchiveError(
      'corrupt data',
      `entry ${JSON.stringify(entry.name)} of the stored archive`,
    );
  return data;
}

interface CheckedEntry<Entry extends EditedZipEntry = EditedZipEntry> {
  zipEntry: Entry;
  name: string;
  isDirectory: boolean;
}

function checkEntryHeader<Entry extends EditedZipEntry>(zipEntry: Entry): CheckedEntry<Entry> {
  const rawName = zipEntry.name;
  const label = JSON.stringify(rawName);
  let segments: string[];
  try {
    segments = assertSafeRelativePath(rawName, { allowTrailingSlash: true });
  } catch (error) {
    if (error instanceof UnsafePathError)
      throw new InvalidArchiveError('unsafe name', `entry name ${label}: ${error.reason}`);
    throw error;
  }
  // Longer segments cannot be created on disk: serving would fail to extract them.
  if (overlongSegment(segments) !== undefined)
    throw new InvalidArchiveError(
      'unsafe name',
      `entry name ${label}: a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`,
    );
  const fileType = unixFileType(zipEntry.externalAttributes);
  if (fileType === S_IFLNK) throw new InvalidArchiveError('symlink', `entry ${label} is a symbolic link`);
  if (fileType !== 0 && fileType !== S_IFREG && fileType !== S_IFDIR)
    throw new InvalidArchiveError('special file', `entry ${label} is not a regular file`);
  if (zipEntry.flags & FLAG_ENCRYPTED)
    throw new InvalidArchiveError('encrypted', `entry ${label} is encrypted`);
  if (zipEntry.method !== METHOD_STORED && zipEntry.method !== METHOD_DEFLATED)
    throw new InvalidArchiveError('unsupported compression', `entry ${label}`);
  const isDirectory = rawName.endsWith('/') || fileType === S_IFDIR;
  if (isDirectory && dataLength(zipEntry) > 0)
    throw new InvalidArchiveError('corrupt data', `directory ${label} has content`);
  return { zipEntry, name: segments.join('/'), isDirectory };
}

/** Takes `bytes` from the inflated-size budget, refusing the archive once it is overdrawn. */
function charge(budget: InflateBudget, bytes: number, maxInflatedSize: number): void {
  budget.remaining -= bytes;
  if (budget.remaining < 0)
    throw new InvalidArchiveError('inflated size limit', `inflates to more than ${maxInflatedSize} bytes`);
}

/** Names must stay distinct on case-insensitive, normalising filesystems and when extracted as a tree. */
function assertUnambiguousNames(entries: readonly CheckedEntry[]): void {
  const seen = new Set<string>();
  const files = new Set<string>();
  const directories = new Set<string>();
  for (const entry of entries) {
    const folded = entryKey(entry.name);
    if (seen.has(folded))
      throw new InvalidArchiveError(
        'duplicate name',
        `entry name ${JSON.stringify(entry.name)} occurs twice`,
      );
    seen.add(folded);
    (entry.isDirectory ? directories : files).add(folded);
    const segments = folded.split('/');
    for (let depth = 1; depth < segments.length; depth++) directories.add(segments.slice(0, depth).join('/'));
  }
  for (const file of files)
    if (directories.has(file))
      throw new InvalidArchiveError('file and directory share a name', `${JSON.stringify(file)}`);
}

/** Entries sharing compressed bytes are the trick behind non-recursive zip bombs. */
function assertNoOverlap(zip: Buffer, entries: readonly CheckedEntry<ArchiveEntry>[]): void {
  const byOffset = [...entries].sort((a, b) => a.zipEntry.localHeaderOffset - b.zipEntry.localHeaderOffset);
  for (let index = 0; index < byOffset.length; index++) {
    const entry = byOffset[index];
    const next = byOffset[index + 1];
    if (next && next.zipEntry.localHeaderOffset < entry.zipEntry.dataEnd)
      throw new InvalidArchiveError('overlapping entries', `entries ${JSON.stringify(entry.name)} overlap`);
    // Tools that read local headers must see the same name the central directory promised.
    const start = entry.zipEntry.localHeaderOffset;
    const nameLength = zip.readUInt16LE(start + 26);
    const nameStart = start + LOCAL_HEADER_SIZE;
    const localName = zip.subarray(nameStart, nameStart + nameLength);
    if (!localName.equals(entry.zipEntry.rawName))
      throw new InvalidArchiveError('local header differs', `entry ${JSON.stringify(entry.name)}`);
  }
}

function parseManifest(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    // The manifest becomes the application's jsonb `manifest`: the same depth and U+0000 rules as a body.
    parsed = parseJsonText(bytes.toString('utf8').replace(/^\uFEFF/, ''), MANIFEST_FILE, 'applications');
  } catch (error) {
    if (error instanceof CumulocityError) throw new InvalidArchiveError('invalid manifest', error.message);
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArchiveError('invalid manifest', `${MANIFEST_FILE} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}
