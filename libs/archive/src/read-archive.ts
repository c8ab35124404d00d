import AdmZip from 'adm-zip';
import { InvalidArchiveError } from './invalid-archive.error';
import { withoutZip64Extra, type ZipEntryData } from './zip-entry';
import { MAX_UINT16, S_IFDIR, unixFileType } from './zip-format';

/** An entry of a zip read from bytes: what edits copy, plus where its bytes lay in the source. */
export interface ArchiveEntry extends ZipEntryData {
  /** The name bytes of the central directory, undecoded. */
  readonly rawName: Buffer;
  /** Offset of the entry's local header; its compressed bytes end at `dataEnd`. */
  readonly localHeaderOffset: number;
  readonly dataEnd: number;
}

/** A zip parsed once: every later step (validation, edits, extraction) works on this. */
export interface ZipArchive {
  readonly bytes: Buffer;
  readonly entries: readonly ArchiveEntry[];
}

/**
 * Parses `bytes` with adm-zip, once. Entry data are slices of `bytes` (adm-zip returns the untouched
 * compressed bytes of an entry loaded from a Buffer), so nothing is copied or inflated here.
 * `maxEntries` is checked against the end record before adm-zip materialises an object per entry.
 * Refuses what cannot be read at all (422 {@link InvalidArchiveError}); everything else is for
 * `validateArchive` to judge.
 */
export function readArchive(bytes: Buffer, maxEntries = MAX_UINT16): ZipArchive {
  let zip: AdmZip;
  try {
    zip = new AdmZip(bytes);
  } catch {
    throw new InvalidArchiveError('not a zip', 'not a zip archive');
  }
  const declaredCount = zip.getEntryCount();
  if (declaredCount > maxEntries) throw tooManyEntries(declaredCount, maxEntries);
  let zipEntries: AdmZip.IZipEntry[];
  try {
    zipEntries = zip.getEntries();
  } catch (error) {
    // adm-zip refuses an exact duplicate name itself, before we see the entries.
    if (error instanceof Error && error.message.includes('Duplicate entry'))
      throw new InvalidArchiveError('duplicate name', 'duplicate entry name');
    throw new InvalidArchiveError('not a zip', 'corrupt zip directory');
  }
  if (zipEntries.length > maxEntries) throw tooManyEntries(zipEntries.length, maxEntries);
  return { bytes, entries: zipEntries.map(toArchiveEntry) };
}

export function tooManyEntries(count: number, max: number): InvalidArchiveError {
  return new InvalidArchiveError('too many entries', `${count} entries, at most ${max} allowed`);
}

function toArchiveEntry(entry: AdmZip.IZipEntry): ArchiveEntry {
  const header = entry.header;
  let data: Buffer;
  try {
    data = entry.getCompressedData();
  } catch {
    throw new InvalidArchiveError(
      'corrupt data',
      `entry ${JSON.stringify(entry.entryName)} has a bad local header`,
    );
  }
  return {
    name: entry.entryName,
    isDirectory: entry.entryName.endsWith('/') || unixFileType(header.attr) === S_IFDIR,
    method: header.method,
    crc: header.crc >>> 0,
    size: header.size,
    compressedSize: data.length,
    dosTime: header.timeval,
    versionMadeBy: header.made,
    externalAttributes: header.attr >>> 0,
    flags: header.flags,
    extra: withoutZip64Extra(entry.extra),
    data,
    rawName: entry.rawEntryName,
    localHeaderOffset: header.offset,
    dataEnd: header.realDataOffset + header.compressedSize,
  };
}
