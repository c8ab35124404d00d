import AdmZip from 'adm-zip';
import { CumulocityError } from '@depot/common';
import {
  archiveEntryIdentity,
  prefixEntries,
  readArchive,
  readArchiveDirectory,
  writeZip,
  type ArchiveByteSource,
  type ArchiveDirectory,
  type EditedZipEntry,
  type StoredArchiveContent,
} from '@depot/archive';
import { zipOf } from '@depot/archive/testing/zip-of';
import { Readable } from 'node:stream';
import {
  applyArchiveChange,
  describeArchiveChange,
  provenEntries,
  type PreparedArchiveChange,
} from './archive-change';
import { listPlugins } from './list-plugins';

/** A plugin's entries as `prepareArchiveChange` hands them on: validated, below `pluginName/`. */
function plugin(pluginName: string, files: Record<string, string>) {
  return prefixEntries(readArchive(zipOf(files)).entries, pluginName);
}

function namesOf(entries: readonly { name: string }[]): string[] {
  return entries.map((entry) => entry.name).sort();
}

function sourceOf(zip: Buffer, reads: number[] = []): ArchiveByteSource {
  return {
    length: zip.length,
    read: (start, end) => {
      reads.push(end - start + 1);
      return Promise.resolve(zip.subarray(start, end + 1));
    },
  };
}

/** A zip as it lies in storage: its directory and ranged access to its bytes. */
async function stored(zip: Buffer): Promise<{ directory: ArchiveDirectory; content: StoredArchiveContent }> {
  const directory = await readArchiveDirectory(sourceOf(zip));
  return {
    directory,
    content: {
      contentEnd: directory.contentEnd,
      open: (start, end) => Promise.resolve(Readable.from([zip.subarray(start, end + 1)])),
    },
  };
}

/** The zip `writeZip` streams for an edit of `archive`. */
async function written(entries: readonly EditedZipEntry[], content: StoredArchiveContent): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeZip(entries, content)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const baseZip = zipOf({
  'index.html': 'app',
  'alpha/cumulocity.json': '{"name":"alpha","package":"plugin"}',
  'alpha/a.js': 'a',
  'beta/b.js': 'b',
  'beta/cumulocity.json': 'not json',
});
let base: ArchiveDirectory['entries'];
let baseContent: StoredArchiveContent;
beforeAll(async () => {
  const archive = await stored(baseZip);
  base = archive.directory.entries;
  baseContent = archive.content;
});

describe('applyArchiveChange', () => {
  it('adds a plugin next to what is there', () => {
    const result = applyArchiveChange(base, {
      operation: 'addPlugin',
      pluginName: 'alpha',
      entries: plugin('alpha', { 'x.js': 'x' }),
    });
    expect(namesOf(result)).toEqual([
      'alpha/a.js',
      'alpha/cumulocity.json',
      'alpha/x.js',
      'beta/b.js',
      'beta/cumulocity.json',
      'index.html',
    ]);
  });

  it('replaces a plugin directory entirely', () => {
    const result = applyArchiveChange(base, {
      operation: 'replacePlugin',
      pluginName: 'alpha',
      entries: plugin('alpha', { 'x.js': 'x' }),
    });
    expect(namesOf(result)).toEqual(['alpha/x.js', 'beta/b.js', 'beta/cumulocity.json', 'index.html']);
  });

  it('removes a plugin, and answers 404 for one that is not there', () => {
    expect(namesOf(applyArchiveChange(base, { operation: 'removePlugin', pluginName: 'beta' }))).toEqual([
      'alpha/a.js',
      'alpha/cumulocity.json',
      'index.html',
    ]);
    expect(() => applyArchiveChange(base, { operation: 'removePlugin', pluginName: 'gamma' })).toThrow(
      CumulocityError,
    );
    expect(() => applyArchiveChange(base, { operation: 'removePlugin', pluginName: 'index.html' })).toThrow(
      /not found/,
    );
  });

  it('writes files; the later of two parts for one path wins', async () => {
    const result = applyArchiveChange(base, {
      operation: 'writeFiles',
      files: [
        { path: 'index.html', content: Buffer.from('first') },
        { path: 'css/site.css', content: Buffer.from('body{}') },
        { path: 'index.html', content: Buffer.from('second') },
      ],
    });
    const zip = new AdmZip(await written(result, baseContent));
    expect(zip.readAsText('index.html')).toBe('second');
    expect(zip.readAsText('alpha/a.js')).toBe('a');
    expect(zip.readAsText('css/site.css')).toBe('body{}');
    expect(zip.getEntries()).toHaveLength(base.length + 1);
  });

  it('takes a path sent in two Unicode forms as one file: the later part wins', () => {
    const result = applyArchiveChange(base, {
      operation: 'writeFiles',
      files: [
        { path: 'cafe\u0301.txt', content: Buffer.from('nfd') },
        { path: 'caf\u00e9.txt', content: Buffer.from('nfc') },
      ],
    });
    expect(namesOf(result).filter((name) => name.startsWith('caf'))).toEqual(['caf\u00e9.txt']);
  });

  it('replaces an NFD entry by a file written under its NFC name', async () => {
    const nfd = (await stored(zipOf({ 'index.html': 'app', 'docs/cafe\u0301.txt': 'old' }))).directory
      .entries;
    const result = applyArchiveChange(nfd, {
      operation: 'writeFiles',
      files: [{ path: 'docs/caf\u00e9.txt', content: Buffer.from('new') }],
    });
    expect(namesOf(result)).toEqual(['docs/caf\u00e9.txt', 'index.html']);
  });

  it('describes the change for the version record', () => {
    expect(describeArchiveChange({ operation: 'removePlugin', pluginName: 'beta' })).toEqual({
      operation: 'removePlugin',
      pluginName: 'beta',
    });
  });
});

describe('provenEntries', () => {
  it('counts the files kept from the stored archive and the validated plugin, nothing written in', () => {
    const removal: PreparedArchiveChange = { operation: 'removePlugin', pluginName: 'beta' };
    const removed = applyArchiveChange(base, removal);
    expect(provenEntries(removed, removal)).toEqual(new Set(removed.map(archiveEntryIdentity)));
    const addition: PreparedArchiveChange = {
      operation: 'addPlugin',
      pluginName: 'gamma',
      entries: plugin('gamma', { 'g.js': 'g' }),
    };
    const added = applyArchiveChange(base, addition);
    expect(provenEntries(added, addition)).toEqual(new Set(added.map(archiveEntryIdentity)));
    // A file written under an existing name, even with the same bytes, is new: it is validated again.
    const writing: PreparedArchiveChange = {
      operation: 'writeFiles',
      files: [{ path: 'index.html', content: Buffer.from('app') }],
    };
    const rewritten = applyArchiveChange(base, writing);
    expect(provenEntries(rewritten, writing)).toEqual(
      new Set(base.filter((entry) => entry.name !== 'index.html').map(archiveEntryIdentity)),
    );
  });
});

describe('listPlugins', () => {
  it('lists top-level directories with their parsed cumulocity.json, reading byte ranges only', async () => {
    const unreadable: string[] = [];
    const reads: number[] = [];
    const directory = await readArchiveDirectory(sourceOf(baseZip, reads));
    expect(await listPlugins(directory, (name) => unreadable.push(name))).toEqual([
      { pluginName: 'alpha', pluginPackage: { name: 'alpha', package: 'plugin' } },
      { pluginName: 'beta' },
    ]);
    expect(unreadable).toEqual(['beta']);
    // The tail, the directory, and the local header and bytes of the two manifests.
    expect(reads).toHaveLength(6);
  });
});
