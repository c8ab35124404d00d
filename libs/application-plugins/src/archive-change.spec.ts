import AdmZip from 'adm-zip';
import { CumulocityError } from '@depot/common';
import {
  archiveEntryIdentity,
  createFileEntry,
  readArchive,
  readArchiveDirectory,
  type ZipEntryData,
} from '@depot/archive';
import { zipOf, zipOfEntries } from '@depot/archive/testing/zip-of';
import { applyArchiveChange, carriedOverEntries, describeArchiveChange } from './archive-change';
import { listPlugins } from './list-plugins';

function plugin(files: Record<string, string>) {
  return readArchive(zipOf(files));
}

function namesOf(entries: ZipEntryData[]): string[] {
  return entries.map((entry) => entry.name).sort();
}

const base = readArchive(
  zipOf({
    'index.html': 'app',
    'alpha/cumulocity.json': '{"name":"alpha","package":"plugin"}',
    'alpha/a.js': 'a',
    'beta/b.js': 'b',
    'beta/cumulocity.json': 'not json',
  }),
).entries;

describe('applyArchiveChange', () => {
  it('adds a plugin next to what is there', () => {
    const result = applyArchiveChange(base, {
      operation: 'addPlugin',
      pluginName: 'alpha',
      plugin: plugin({ 'x.js': 'x' }),
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
      plugin: plugin({ 'x.js': 'x' }),
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

  it('writes files; the later of two parts for one path wins', () => {
    const result = applyArchiveChange(base, {
      operation: 'writeFiles',
      files: [
        { path: 'index.html', content: Buffer.from('first') },
        { path: 'css/site.css', content: Buffer.from('body{}') },
        { path: 'index.html', content: Buffer.from('second') },
      ],
    });
    const zip = new AdmZip(zipOfEntries(result));
    expect(zip.readAsText('index.html')).toBe('second');
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

  it('replaces an NFD entry by a file written under its NFC name', () => {
    const nfd = readArchive(zipOf({ 'index.html': 'app', 'docs/cafe\u0301.txt': 'old' })).entries;
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

describe('carriedOverEntries', () => {
  const index = base.find((entry) => entry.name === 'index.html')!;

  it('counts a file only with the same name, header fields and compressed bytes as one of the base', () => {
    const sameBytesElsewhere = { ...index, data: Buffer.from(index.data) };
    const otherBytesSameHeader = { ...index, data: Buffer.alloc(index.data.length, 0x2a) };
    expect(carriedOverEntries(base, [sameBytesElsewhere])).toEqual(new Set([archiveEntryIdentity(index)]));
    expect(carriedOverEntries(base, [otherBytesSameHeader]).size).toBe(0);
    expect(carriedOverEntries(base, [{ ...index, name: 'copy.html' }]).size).toBe(0);
    expect(carriedOverEntries(base, [{ ...index, crc: index.crc ^ 1 }]).size).toBe(0);
    expect(carriedOverEntries(base, [createFileEntry('index.html', Buffer.from('changed'))]).size).toBe(0);
  });

  it('counts what a removal keeps, and nothing of what a plugin brings', () => {
    const removed = applyArchiveChange(base, { operation: 'removePlugin', pluginName: 'beta' });
    expect(carriedOverEntries(base, removed)).toEqual(new Set(removed.map(archiveEntryIdentity)));
    const added = applyArchiveChange(base, {
      operation: 'addPlugin',
      pluginName: 'gamma',
      plugin: plugin({ 'g.js': 'g' }),
    });
    expect(carriedOverEntries(base, added)).toEqual(new Set(base.map(archiveEntryIdentity)));
  });
});

describe('listPlugins', () => {
  it('lists top-level directories with their parsed cumulocity.json, reading byte ranges only', async () => {
    const unreadable: string[] = [];
    const zip = zipOfEntries(base);
    const reads: number[] = [];
    const directory = await readArchiveDirectory({
      length: zip.length,
      read: (start, end) => {
        reads.push(end - start + 1);
        return Promise.resolve(zip.subarray(start, end + 1));
      },
    });
    expect(await listPlugins(directory, (name) => unreadable.push(name))).toEqual([
      { pluginName: 'alpha', pluginPackage: { name: 'alpha', package: 'plugin' } },
      { pluginName: 'beta' },
    ]);
    expect(unreadable).toEqual(['beta']);
    // The tail, the directory, and the local header and bytes of the two manifests.
    expect(reads).toHaveLength(6);
  });
});
