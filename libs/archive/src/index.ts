export * from './archive-work-limiter';
export type { StoredArchiveContent } from './copy-stored-entries';
export { mergeEntries, prefixEntries, removeDirectory, topLevelDirectories } from './edit-archive';
export * from './entry-name';
export { inflateEntry } from './inflate-entry';
export * from './invalid-archive.error';
export { readArchive, type ArchiveEntry, type ZipArchive } from './read-archive';
export * from './read-archive-directory';
export * from './validate-archive';
export { writeZip, zipLength } from './write-zip';
export {
  createFileEntry,
  isStoredEntry,
  type EditedZipEntry,
  type StoredZipEntry,
  type ZipEntryData,
  type ZipEntryHeader,
} from './zip-entry';
