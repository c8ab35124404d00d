import {
  archiveEntryIdentity,
  createFileEntry,
  entryKey,
  mergeEntries,
  prefixEntries,
  isStoredEntry,
  readArchive,
  removeDirectory,
  validateArchive,
  type ArchiveLimits,
  type EditedZipEntry,
  type ZipArchive,
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

/**
 * Applies `change` to the entries of the active archive (as its central directory lists them, their
 * bytes left in storage): kept entries stay as they are, new ones carry their bytes.
 */
export function applyArchiveChange(
  base: readonly EditedZipEntry[],
  change: PreparedArchiveChange,
): EditedZipEntry[] {
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
 * Identities of the files of `result` kept from the active archive, for `provenEntries` of the
 * result's validation. They are copied byte for byte (compressed bytes, CRC and sizes as its central
 * directory has them) from a stored archive, which was fully validated (inflated, CRC and sizes
 * checked) when it was stored and is never rewritten (archives are immutable, new content is a new
 * key): inflating them again proves nothing new. A file written or merged in under an existing name
 * is a new entry with its bytes in memory, so it is validated in full.
 */
export function carriedOverEntries(result: readonly EditedZipEntry[]): Set<string> {
  const carriedOver = new Set<string>();
  for (const entry of result)
    if (isStoredEntry(entry) && !entry.isDirectory) carriedOver.add(archiveEntryIdentity(entry));
  return carriedOver;
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
