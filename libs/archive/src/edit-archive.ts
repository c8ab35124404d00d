import { assertSafeRelativePath, CumulocityError, UnsafePathError } from '@depot/common';
import { entryKey } from './entry-name';
import { renameEntry, type ZipEntryHeader } from './zip-entry';

/** What an edit looks at: names and kinds, never bytes (kept entries may have theirs in storage). */
type EditableEntry = Pick<ZipEntryHeader, 'name' | 'isDirectory'>;

/** Paths are compared as the validator compares them, so a merge never makes an archive it refuses. */
function keyOf(entry: { name: string }): string {
  return entryKey(entry.name);
}

function parentsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

/** Files and directories (explicit or implied by a deeper path) of a list of entries. */
function treeOf(entries: readonly EditableEntry[]): { files: Set<string>; directories: Set<string> } {
  const files = new Set<string>();
  const directories = new Set<string>();
  for (const entry of entries) {
    const path = keyOf(entry);
    (entry.isDirectory ? directories : files).add(path);
    for (const parent of parentsOf(path)) directories.add(parent);
  }
  return { files, directories };
}

function assertNoFileDirectoryClash(files: Set<string>, directories: Set<string>, what: string): void {
  for (const file of files) {
    if (directories.has(file)) {
      throw CumulocityError.invalidData('applications', `${what}: "${file}" is both a file and a directory`);
    }
  }
}

/**
 * Moves entries below `directory/`. Every resulting name is checked again with the path-safety
 * helper, so nothing can land outside the directory whatever the entry names were.
 */
export function prefixEntries<Entry extends ZipEntryHeader>(
  entries: readonly Entry[],
  directory: string,
): Entry[] {
  return entries.map((entry) => {
    const name = `${directory}/${entry.name}`;
    try {
      assertSafeRelativePath(name, { allowTrailingSlash: entry.isDirectory });
    } catch (error) {
      if (error instanceof UnsafePathError) {
        throw CumulocityError.invalidData('applications', `Invalid entry name in zip: ${error.reason}`);
      }
      throw error;
    }
    if (!name.startsWith(`${directory}/`))
      throw new Error('unreachable: prefixed name escaped its directory');
    return renameEntry(entry, name);
  });
}

/**
 * Adds `incoming` to `base`: an incoming path overwrites the same path, everything else in `base`
 * stays. A file where the other side has a directory (or the reverse) is refused rather than
 * silently dropping one of them.
 */
export function mergeEntries<Base extends EditableEntry, Incoming extends EditableEntry>(
  base: readonly Base[],
  incoming: readonly Incoming[],
): (Base | Incoming)[] {
  const incomingTree = treeOf(incoming);
  assertNoFileDirectoryClash(incomingTree.files, incomingTree.directories, 'Invalid zip');
  const baseTree = treeOf(base);
  for (const file of incomingTree.files) {
    if (baseTree.directories.has(file)) {
      throw CumulocityError.invalidData('applications', `"${file}" is a directory in the application`);
    }
  }
  for (const directory of incomingTree.directories) {
    if (baseTree.files.has(directory)) {
      throw CumulocityError.invalidData('applications', `"${directory}" is a file in the application`);
    }
  }
  const replaced = new Set(incoming.map(keyOf));
  return [...base.filter((entry) => !replaced.has(keyOf(entry))), ...incoming];
}

/** Whether `entry` is `directory/` or lies below it (names compared by {@link entryKey}). */
function isInDirectory(entry: EditableEntry, directory: string): boolean {
  const key = keyOf(entry);
  const directoryKey = entryKey(directory);
  return key.startsWith(`${directoryKey}/`) || (entry.isDirectory && key === directoryKey);
}

/** `base` without `directory/` and everything below it, and how many entries went. */
export function removeDirectory<Entry extends EditableEntry>(
  base: readonly Entry[],
  directory: string,
): { entries: Entry[]; removed: number } {
  const entries = base.filter((entry) => !isInDirectory(entry, directory));
  return { entries, removed: base.length - entries.length };
}

/** The top-level directories of an archive (explicit, or implied by a deeper path), sorted. */
export function topLevelDirectories(entries: readonly { name: string }[]): string[] {
  const directories = new Set<string>();
  for (const { name } of entries) {
    const slash = name.indexOf('/');
    if (slash > 0) directories.add(name.slice(0, slash));
  }
  return [...directories].sort();
}
