import type { ZipEntryData } from './zip-entry';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAMES = 0x0800;
const MAX_UINT32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

export interface WrittenZip {
  /** The archive in order; the entry data chunks are the entries' own buffers, not copies. */
  chunks: Buffer[];
  length: number;
}

/**
 * Lays out a zip from entries whose data is already compressed: a local header and the bytes of each
 * entry, then the central directory. Sizes and CRC come from the entries, so no data descriptors are
 * needed. Archives are capped well below ZIP64 sizes (MAX_ARCHIVE_*), so ZIP64 is refused here.
 */
export function writeZip(entries: readonly ZipEntryData[]): WrittenZip {
  if (entries.length > MAX_ENTRIES) throw new Error(`Too many zip entries for a non-ZIP64 archive`);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const flags = (entry.flags & ~FLAG_DATA_DESCRIPTOR) | FLAG_UTF8_NAMES;
    const versionNeeded = 20;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
    local.writeUInt16LE(versionNeeded, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.dosTime, 10);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    header.writeUInt16LE(entry.versionMadeBy & 0xffff, 4);
    header.writeUInt16LE(versionNeeded, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(entry.method, 10);
    header.writeUInt32LE(entry.dosTime, 12);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(entry.data.length, 20);
    header.writeUInt32LE(entry.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(entry.extra.length, 30);
    header.writeUInt16LE(0, 32); // comment
    header.writeUInt16LE(0, 34); // disk
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(entry.externalAttributes >>> 0, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, entry.data);
    central.push(header, name, entry.extra);
    offset += local.length + name.length + entry.data.length;
    if (offset > MAX_UINT32) throw new Error('Zip too large for a non-ZIP64 archive');
  }
  const centralLength = central.reduce((sum, chunk) => sum + chunk.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralLength, 12);
  end.writeUInt32LE(offset, 16);
  chunks.push(...central, end);
  return { chunks, length: offset + centralLength + end.length };
}
