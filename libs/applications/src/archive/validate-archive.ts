import AdmZip from 'adm-zip';
import { crc32, createInflateRaw } from 'node:zlib';
import { assertSafeRelativePath, UnsafePathError } from '@depot/common';
import { InvalidArchiveError } from './invalid-archive.error';

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

export const MANIFEST_FILE = 'cumulocity.json';
const MAX_MANIFEST_SIZE = 1024 * 1024;
const DEFAULT_MAX_RATIO = 200;
const DEFAULT_RATIO_THRESHOLD = 1024 * 1024;
const FLAG_ENCRYPTED = 0x1;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const LOCAL_HEADER_SIZE = 30;

interface InflateBudget {
  remaining: number;
}

/**
 * The one archive validator, for uploaded application archives and plugin zips alike. Refuses (with
 * {@link InvalidArchiveError}, 422) anything that is not a plain tree of regular files: unsafe or
 * ambiguous names (absolute, `..`, backslashes, NUL, duplicates also after Unicode normalisation and
 * case folding, a file where a directory is needed), symlinks and other special entries, encryption,
 * too many entries, and bombs. Every entry is really inflated: the byte count, CRC and ratio are taken
 * from the inflated stream, never from the headers, and inflation stops as soon as a limit is passed.
 * The one exception is `options.provenEntries`: copies of entries that already went through this.
 */
export async function validateArchive(
  zip: Buffer,
  limits: ArchiveLimits,
  options: ValidateArchiveOptions = {},
): Promise<ValidatedArchive> {
  const archive = openZip(zip);
  // The end record's count is checked before adm-zip materialises a million entry objects.
  const declaredCount = archive.getEntryCount();
  if (declaredCount > limits.maxEntries) throw tooManyEntries(declaredCount, limits.maxEntries);
  const zipEntries = readEntries(archive);
  if (zipEntries.length > limits.maxEntries) throw tooManyEntries(zipEntries.length, limits.maxEntries);

  const checked = zipEntries.map((entry) => checkEntryHeader(entry));
  assertUnambiguousNames(checked);
  assertNoOverlap(zip, checked);

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
    if (!capture && options.provenEntries?.has(identityOf(entry))) {
      // Trustworthy: the full validation that proved this entry refused headers that lie about sizes.
      const size = entry.zipEntry.header.size;
      charge(budget, size, limits.maxInflatedSize);
      entries.push({ name: entry.name, isDirectory: false, size });
      continue;
    }
    const { size, captured } = await inflateEntry(entry, budget, limits.maxInflatedSize, {
      maxRatio,
      ratioThreshold,
      capture,
    });
    if (capture) manifestBytes = captured;
    entries.push({ name: entry.name, isDirectory: false, size });
  }
  const inflatedSize = limits.maxInflatedSize - budget.remaining;
  if (inflatedSize > ratioThreshold && inflatedSize > zip.length * maxRatio)
    throw new InvalidArchiveError('compression ratio', 'suspicious overall compression ratio');
  if (!entries.some((entry) => !entry.isDirectory))
    throw new InvalidArchiveError('empty', 'the archive contains no files');

  return { entries, inflatedSize, manifest: manifestBytes && parseManifest(manifestBytes) };
}

interface CheckedEntry {
  zipEntry: AdmZip.IZipEntry;
  name: string;
  isDirectory: boolean;
  compressed: Buffer;
  start: number;
  end: number;
}

function openZip(zip: Buffer): AdmZip {
  try {
    return new AdmZip(zip);
  } catch {
    throw new InvalidArchiveError('not a zip', 'not a zip archive');
  }
}

function readEntries(archive: AdmZip): AdmZip.IZipEntry[] {
  try {
    return archive.getEntries();
  } catch (error) {
    // adm-zip refuses an exact duplicate name itself, before we see the entries.
    if (error instanceof Error && error.message.includes('Duplicate entry'))
      throw new InvalidArchiveError('duplicate name', 'duplicate entry name');
    throw new InvalidArchiveError('not a zip', 'corrupt zip directory');
  }
}

function tooManyEntries(count: number, max: number): InvalidArchiveError {
  return new InvalidArchiveError('too many entries', `${count} entries, at most ${max} allowed`);
}

function checkEntryHeader(zipEntry: AdmZip.IZipEntry): CheckedEntry {
  const rawName = zipEntry.entryName;
  if (zipEntry.rawEntryName.includes(0))
    throw new InvalidArchiveError('unsafe name', `entry name ${JSON.stringify(rawName)}: NUL byte`);
  let segments: string[];
  try {
    segments = assertSafeRelativePath(rawName, { allowTrailingSlash: true });
  } catch (error) {
    if (error instanceof UnsafePathError)
      throw new InvalidArchiveError('unsafe name', `entry name ${JSON.stringify(rawName)}: ${error.reason}`);
    throw error;
  }
  const header = zipEntry.header;
  const fileType = (header.attr >>> 16) & S_IFMT;
  if (fileType === S_IFLNK)
    throw new InvalidArchiveError('symlink', `entry ${JSON.stringify(rawName)} is a symbolic link`);
  if (fileType !== 0 && fileType !== S_IFREG && fileType !== S_IFDIR)
    throw new InvalidArchiveError('special file', `entry ${JSON.stringify(rawName)} is not a regular file`);
  if (header.flags & FLAG_ENCRYPTED)
    throw new InvalidArchiveError('encrypted', `entry ${JSON.stringify(rawName)} is encrypted`);
  if (header.method !== METHOD_STORED && header.method !== METHOD_DEFLATED)
    throw new InvalidArchiveError('unsupported compression', `entry ${JSON.stringify(rawName)}`);
  const isDirectory = rawName.endsWith('/') || fileType === S_IFDIR;
  let compressed: Buffer;
  try {
    compressed = zipEntry.getCompressedData();
  } catch {
    throw new InvalidArchiveError('corrupt data', `entry ${JSON.stringify(rawName)} has a bad local header`);
  }
  if (isDirectory && compressed.length > 0)
    throw new InvalidArchiveError('corrupt data', `directory ${JSON.stringify(rawName)} has content`);
  return {
    zipEntry,
    name: segments.join('/'),
    isDirectory,
    compressed,
    start: header.offset,
    end: header.realDataOffset + header.compressedSize,
  };
}

function identityOf(entry: CheckedEntry): string {
  const header = entry.zipEntry.header;
  return archiveEntryIdentity({
    name: entry.zipEntry.entryName,
    method: header.method,
    crc: header.crc,
    compressedSize: entry.compressed.length,
    size: header.size,
  });
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
    const folded = entry.name.normalize('NFC').toLowerCase();
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
function assertNoOverlap(zip: Buffer, entries: readonly CheckedEntry[]): void {
  const byOffset = [...entries].sort((a, b) => a.start - b.start);
  for (let index = 0; index < byOffset.length; index++) {
    const entry = byOffset[index];
    const next = byOffset[index + 1];
    if (next && next.start < entry.end)
      throw new InvalidArchiveError('overlapping entries', `entries ${JSON.stringify(entry.name)} overlap`);
    // Tools that read local headers must see the same name the central directory promised.
    const nameLength = zip.readUInt16LE(entry.start + 26);
    const nameStart = entry.start + LOCAL_HEADER_SIZE;
    const localName = zip.subarray(nameStart, nameStart + nameLength);
    if (!localName.equals(entry.zipEntry.rawEntryName))
      throw new InvalidArchiveError('local header differs', `entry ${JSON.stringify(entry.name)}`);
  }
}

async function inflateEntry(
  entry: CheckedEntry,
  budget: InflateBudget,
  maxInflatedSize: number,
  options: { maxRatio: number; ratioThreshold: number; capture: boolean },
): Promise<{ size: number; captured?: Buffer }> {
  const header = entry.zipEntry.header;
  const label = JSON.stringify(entry.name);
  const chunks: Buffer[] = [];
  let size = 0;
  let crc = 0;
  const consume = (chunk: Buffer): void => {
    size += chunk.length;
    charge(budget, chunk.length, maxInflatedSize);
    if (size > options.ratioThreshold && size > entry.compressed.length * options.maxRatio)
      throw new InvalidArchiveError('compression ratio', `entry ${label} has a suspicious compression ratio`);
    if (size > header.size)
      throw new InvalidArchiveError(
        'size differs from header',
        `entry ${label} is larger than its header says`,
      );
    crc = crc32(chunk, crc);
    if (options.capture) {
      if (size > MAX_MANIFEST_SIZE)
        throw new InvalidArchiveError('invalid manifest', `${MANIFEST_FILE} is too large`);
      chunks.push(chunk);
    }
  };

  if (header.method === METHOD_STORED) consume(entry.compressed);
  else await inflateRaw(entry.compressed, consume, label);

  if (size !== header.size)
    throw new InvalidArchiveError(
      'size differs from header',
      `entry ${label} is smaller than its header says`,
    );
  if (crc >>> 0 !== header.crc >>> 0) throw new InvalidArchiveError('crc mismatch', `entry ${label}`);
  return { size, captured: options.capture ? Buffer.concat(chunks) : undefined };
}

/** Streams `compressed` through raw inflate, handing each chunk to `consume`; stops at its first throw. */
function inflateRaw(compressed: Buffer, consume: (chunk: Buffer) => void, label: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const inflater = createInflateRaw();
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      reject(
        error instanceof InvalidArchiveError
          ? error
          : new InvalidArchiveError('corrupt data', `entry ${label}`),
      );
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        consume(chunk);
      } catch (error) {
        fail(error);
      }
    });
    inflater.on('error', fail);
    inflater.on('end', () => {
      if (!failed) resolve();
    });
    inflater.end(compressed);
  });
}

function parseManifest(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw new InvalidArchiveError('invalid manifest', `${MANIFEST_FILE} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArchiveError('invalid manifest', `${MANIFEST_FILE} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}
