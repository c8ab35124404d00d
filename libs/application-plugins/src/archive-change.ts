import {
  archiveEntryIdentity,
  createFileEntry,
  entryKey,
  mergeEntries,
  prefixEntries,
  readArchive,
  removeDirectory,
  validateArchive,
  type ArchiveLimits,
  type ZipArchive,
  type ZipEntryData,
} from '@depot/archive';
import { CumulocityError } from '@depot/common';

/** One change to an application's content; each makes a new archive and a new active version. */
export type ArchiveChange =
  | { operation: 'addPlugin'; pluginName: string; pluginZip: Buffer }
  | { operation: 'replacePlugin'; pluginName: string; pluginZip: Buffer }
  | { operation: 'removePlugin'; pluginName: string }
  | { operation: 'writeFiles'; files: { path: string; content: Buffer }[] };

/** A change whose plugin zip was read and validated, once: what {@link applyArchiveChange} applies. */
export type PreparedArchiveChange =
  | { operation: 'addPlugin' | 'replacePlugin'; pluginName: string; plugin: ZipArchive }
  | Extract<ArchiveChange, { operation: 'removePlugin' | 'writeFiles' }>;

/** Reads and validates a plugin zip (422 when it is refused); other changes need nothing yet. */
export async function prepareArchiveChange(
  change: ArchiveChange,
  limits: ArchiveLimits,
): Promise<PreparedArchiveChange> {
  if (change.operation !== 'addPlugin' && change.operation !== 'replacePlugin') return change;
  const plugin = readArchive(change.pluginZip, limits.maxEntries);
  await validateArchive(plugin, limits);
  return { operation: change.operation, pluginName: change.pluginName, plugin };
}

/** Applies `change` to the entries of the active archive. */
export function applyArchiveChange(
  base: readonly ZipEntryData[],
  change: PreparedArchiveChange,
): ZipEntryData[] {
  switch (change.operation) {
    case 'addPlugin':
      return mergeEntries(base, prefixEntries(change.plugin.entries, change.pluginName));
    case 'replacePlugin':
      return mergeEntries(
        removeDirectory(base, change.pluginName).entries,
        prefixEntries(change.plugin.entries, change.pluginName),
      );
    case 'removePlugin': {
      const { entries, removed } = removeDirectory(base, change.pluginName);
      if (removed === 0)
        throw CumulocityError.notFound(
          'applications',
          `Plugin ${change.pluginName} not found in the application`,
        );
      return entries;
    }
    case 'writeFiles': {
      // The same path sent twice (also in two Unicode forms): the later part wins, as it would
      // written one after the other.
      const latest = new Map(change.files.map((file) => [entryKey(file.path), file]));
      const modified = new Date();
      return mergeEntries(
        base,
        [...latest.values()].map((file) => createFileEntry(file.path, file.content, modified)),
      );
    }
  }
}

/**
 * Identities of the files of `result` that are byte-identical copies of files of `base` (same name,
 * method, CRC, sizes and compressed bytes), for `provenEntries` of the result's validation: `base` is
 * a stored archive, fully validated when it was stored, so inflating these again proves nothing new.
 * A file written or merged in under an existing name is new unless its bytes are the same as well.
 */
export function carriedOverEntries(
  base: readonly ZipEntryData[],
  result: readonly ZipEntryData[],
): Set<string> {
  const baseByName = new Map(base.map((entry) => [entry.name, entry]));
  const carriedOver = new Set<string>();
  for (const entry of result) {
    const original = baseByName.get(entry.name);
    if (!entry.isDirectory && original !== undefined && isByteIdentical(entry, original))
      carriedOver.add(archiveEntryIdentity(entry));
  }
  return carriedOver;
}

function isByteIdentical(entry: ZipEntryData, original: ZipEntryData): boolean {
  return (
    entry.method === original.method &&
    entry.crc >>> 0 === original.crc >>> 0 &&
    entry.size === original.size &&
    entry.compressedSize === original.compressedSize &&
    entry.data.length === entry.compressedSize &&
    // An untouched entry shares the very buffer; comparing bytes covers any other route.
    (entry.data === original.data || entry.data.equals(original.data))
  );
}

/** What the change was, for the fragment recorded on the new archive. */
export function describeArchiveChange(
  change: ArchiveChange | PreparedArchiveChange,
): Record<string, unknown> {
  switch (change.operation) {
    case 'addPlugin':
    case 'replacePlugin':
    case 'removePlugin':
      return { operation: change.operation, pluginName: change.pluginName };
    case 'writeFiles':
      return { operation: change.operation, paths: change.files.map((file) => file.path) };
  }
}
