import AdmZip from 'adm-zip';
import { readEntryContent } from './inflate-entry';
import { InvalidArchiveError } from './invalid-archive.error';
import {
  CENTRAL_HEADER_SIZE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  LOCAL_HEADER_SIGNATURE,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT_SIZE,
  MAX_UINT16,
  MAX_UINT32,
  ZIP64_END_LOCATOR_SIGNATURE,
  ZIP64_END_LOCATOR_SIZE,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
} from './zip-format';

/** Random access to a stored zip: its length and inclusive byte ranges (a storage driver's `read`). */
export interface ArchiveByteSource {
  readonly length: number;
  read(start: number, end: number): Promise<Buffer>;
}

/** An entry as the central directory describes it. */
export interface DirectoryEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  /** Inflated size, as the header says. */
  readonly size: number;
}

/** The central directory of a stored zip, and the content of small entries, read in byte ranges. */
export interface ArchiveDirectory {
  readonly entries: readonly DirectoryEntry[];
  /** Inflates one entry of at most `maxSize` bytes, reading only its own bytes. */
  readContent(entry: DirectoryEntry, maxSize: number): Promise<Buffer>;
}

interface DirectoryRecord {
  offset: number;
  size: number;
  count: number;
}

/**
 * Reads only the central directory of a stored archive (the end record, then the directory itself),
 * so what it costs depends on the number of entries, not on the archive's size. The directory is
 * decoded by adm-zip, as every other read of an archive is, from a copy that holds nothing else.
 * Meant for archives that passed validation when they were stored.
 */
export async function readArchiveDirectory(source: ArchiveByteSource): Promise<ArchiveDirectory> {
  const record = await findDirectory(source);
  const directory =
    record.size === 0 ? Buffer.alloc(0) : await source.read(record.offset, record.offset + record.size - 1);
  const end = Buffer.alloc(END_OF_CENTRAL_DIRECTORY_SIZE);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(Math.min(record.count, MAX_UINT16), 8);
  end.writeUInt16LE(Math.min(record.count, MAX_UINT16), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(0, 16);
  let zipEntries: AdmZip.IZipEntry[];
  try {
    zipEntries = new AdmZip(Buffer.concat([directory, end])).getEntries();
  } catch {
    throw corrupt();
  }
  const byEntry = new Map<DirectoryEntry, AdmZip.IZipEntry>();
  const entries = zipEntries.map((zipEntry) => {
    const entry: DirectoryEntry = {
      name: zipEntry.entryName,
      isDirectory: zipEntry.isDirectory,
      size: zipEntry.header.size,
    };
    byEntry.set(entry, zipEntry);
    return entry;
  });
  return {
    entries,
    readContent: async (entry, maxSize) => {
      const zipEntry = byEntry.get(entry);
      if (!zipEntry) throw new Error('not an entry of this directory');
      const { offset, compressedSize, method } = zipEntry.header;
      const local = await source.read(offset, offset + LOCAL_HEADER_SIZE - 1);
      if (local.length < LOCAL_HEADER_SIZE || local.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE)
        throw corrupt();
      const dataStart = offset + LOCAL_HEADER_SIZE + local.readUInt16LE(26) + local.readUInt16LE(28);
      const data =
        compressedSize === 0 ? Buffer.alloc(0) : await source.read(dataStart, dataStart + compressedSize - 1);
      return readEntryContent({ method, data }, JSON.stringify(entry.name), maxSize);
    },
  };
}

async function findDirectory(source: ArchiveByteSource): Promise<DirectoryRecord> {
  const tailLength = Math.min(
    source.length,
    END_OF_CENTRAL_DIRECTORY_SIZE + MAX_COMMENT_SIZE + ZIP64_END_LOCATOR_SIZE,
  );
  if (tailLength < END_OF_CENTRAL_DIRECTORY_SIZE) throw corrupt();
  const tailStart = source.length - tailLength;
  const tail = await source.read(tailStart, source.length - 1);
  let at = tail.length - END_OF_CENTRAL_DIRECTORY_SIZE;
  while (at >= 0 && tail.readUInt32LE(at) !== END_OF_CENTRAL_DIRECTORY_SIGNATURE) at--;
  if (at < 0) throw corrupt();
  const record: DirectoryRecord = {
    count: tail.readUInt16LE(at + 10),
    size: tail.readUInt32LE(at + 12),
    offset: tail.readUInt32LE(at + 16),
  };
  const locatorAt = at - ZIP64_END_LOCATOR_SIZE;
  const isZip64 = record.count === MAX_UINT16 || record.size === MAX_UINT32 || record.offset === MAX_UINT32;
  if (isZip64 && locatorAt >= 0 && tail.readUInt32LE(locatorAt) === ZIP64_END_LOCATOR_SIGNATURE) {
    const zip64At = Number(tail.readBigUInt64LE(locatorAt + 8));
    const zip64 = await source.read(zip64At, zip64At + ZIP64_END_SIZE - 1);
    if (zip64.length < ZIP64_END_SIZE || zip64.readUInt32LE(0) !== ZIP64_END_SIGNATURE) throw corrupt();
    record.count = Number(zip64.readBigUInt64LE(32));
    record.size = Number(zip64.readBigUInt64LE(40));
    record.offset = Number(zip64.readBigUInt64LE(48));
  }
  if (record.offset + record.size > source.length || record.size < record.count * CENTRAL_HEADER_SIZE)
    throw corrupt();
  return record;
}

function corrupt(): InvalidArchiveError {
  return new InvalidArchiveError('not a zip', 'corrupt zip directory');
}
