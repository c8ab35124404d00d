import { zipChunks } from '../write-zip';
import { createFileEntry, type ZipEntryData } from '../zip-entry';

/** A zip of these files as this library writes it (names ending in `/` are directories). Test support only. */
export function zipOf(files: Record<string, string | Buffer>): Buffer {
  return zipOfEntries(
    Object.entries(files).map(([name, content]) =>
      name.endsWith('/') ? directoryEntry(name) : createFileEntry(name, Buffer.from(content)),
    ),
  );
}

/** The bytes `writeZip` streams for `entries`, in one buffer. Test support only. */
export function zipOfEntries(entries: readonly ZipEntryData[]): Buffer {
  return Buffer.concat([...zipChunks(entries)]);
}

function directoryEntry(name: string): ZipEntryData {
  return {
    ...createFileEntry(name, Buffer.alloc(0)),
    isDirectory: true,
    externalAttributes: (0o040755 << 16) >>> 0,
  };
}
