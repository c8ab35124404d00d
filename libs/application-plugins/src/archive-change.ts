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
  type ZipEntryData,
} from '@depot/archive';
import { CumulocityError } from '@depot/common';

/** One change to an application's content; each makes a new archive and a new active version. */
export type ArchiveChange =
  | { operation: 'addPlugin'; pluginName: string; pluginZip: Buffer }
  | { operation: 'replacePlugin'; pluginName: string; pluginZip: Buffer }
  | { operation: 'removePlugin'; pluginName: string }
  | { operation: 'writeFiles'; files: { path: string; content: Buffer }[] };

/**
 * A change whose plugin zip was read and validated, once: what {@link applyArchiveChange} applies.
 * A plugin's `entries` are those of its validated zip, moved below `pluginName/`.
 */
export type PreparedArchiveChange =
  | { operation: 'addPlugin' | 'replacePlugin'; pluginName: string; entries: ZipEntryData[] }
  | Extract<ArchiveChange, { operation: 'removePlugin' | 'writeFiles' }>;

/** Reads and validates a plugin zip (422 when it is refused); other changes need nothing yet. */
export async function prepareArchiveChange(
  change: ArchiveChange,
  limits: ArchiveLimits,
): Promise<PreparedArchiveChange> {
  if (change.operation !== 'addPlugin' && change.operation !== 'replacePlugin') return change;
  const plugin = readArchive(change.pluginZip, limits.maxEntries);
  await validateArchive(plugin, limits);
  const entries = prefixEntries(plugin.entries, change.pluginName);
  return { operation: change.operation, pluginName: change.pluginName, entries };
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
      return mergeEntries(base, change.entries);
    case 'replacePlugin':
      return mergeEntries(removeDirectory(base, change.pluginName).entries, change.entries);
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
 * Identities of the files of `result` that were validated already, for `provenEntries` of the
 * result's validation, so their content is not inflated a second time (their names and headers are
 * still checked, and their header sizes count toward the limits; the validation that proved them
 * refused headers that lie about sizes):
 * - files kept from the active archive: copied byte for byte (compressed bytes, CRC and sizes as its
 *   central directory has them) from a stored archive, which was validated when it was stored (in full
 *   on upload; its own kept files proven the same way, its new ones in full) and is never rewritten
 *   (archives are immutable: new content is a new key);
 * - the plugin's files: inflated by {@link prepareArchiveChange} under the same limits, only renamed
 *   since (content checks do not depend on the name; the root manifest, which does, is never a
 *   plugin's file).
 * A file written in by `writeFiles`, even under an existing name with the same bytes, is new and
 * validated in full.
 */
export function provenEntries(result: readonly EditedZipEntry[], change: PreparedArchiveChange): Set<string> {
  const proven = new Set<string>();
  for (const entry of result)
    if (isStoredEntry(entry) && !entry.isDirectory) proven.add(archiveEntryIdentity(entry));
  if (change.operation === 'addPlugin' || change.operation === 'replacePlugin')
    for (const entry of change.entries) if (!entry.isDirectory) proven.add(archiveEntryIdentity(entry));
  return proven;
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
