import AdmZip from 'adm-zip';
import { readArchive, type ArchiveEntry } from '@depot/archive';

/** Zips for e2e suites: one way to make each kind, shared by every suite. */
export { buildRawZip, type RawZipEntry } from '@depot/archive/testing/build-raw-zip';

/**
 * A zip made by an ordinary zip library (adm-zip), not by ours, with these files (names ending in `/`
 * are directories); by default a one-page web application.
 */
export function zipOf(files: Record<string, string | Buffer> = { 'index.html': '<html>v1</html>' }): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

/** Files (not directories) of a zip, as text. */
export function filesOf(zip: Buffer): Record<string, string> {
  return Object.fromEntries(
    new AdmZip(zip)
      .getEntries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => [entry.entryName, entry.getData().toString('utf8')]),
  );
}

/** The entries of a zip as the archive library reads them (compressed bytes and header fields). */
export function entriesOf(zip: Buffer): readonly ArchiveEntry[] {
  return readArchive(zip).entries;
}
