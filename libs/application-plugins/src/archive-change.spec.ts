import AdmZip from 'adm-zip';
import { CumulocityError } from '@depot/common';
import { archiveEntryIdentity } from '@depot/applications';
import { applyArchiveChange, carriedOverEntries, describeArchiveChange } from './archive-change';
import { listPlugins } from './list-plugins';
import { writeZip } from './zip/write-zip';
import { createFileEntry, readZipEntries, type ZipEntryData } from './zip/zip-entry';

function zipOf(files: Record<string, string>): Buffer {
  return Buffer.concat(
    writeZip(Object.entries(files).map(([name, content]) => createFileEntry(name, Buffer.from(content))))
      .chunks,
  );
}

function namesOf(entries: ZipEntryData[]): string[] {
  return entries.map((entry) => entry.name).sort();
}

const base = readZipEntries(
  new AdmZip(
    zipOf({
      'index.html': 'app',
      'alpha/cumulocity.json': '{"name":"alpha","package":"plugin"}',
      'alpha/a.js': 'a',
      'beta/b.js': 'b',
      'beta/cumulocity.json': 'not json',
    }),
  ),
);

describe('applyArchiveChange', () => {
  it('adds a plugin next to what is there', () => {
    const result = applyArchiveChange(base, {
      operation: 'addPlugin',
      pluginName: 'alpha',
      pluginZip: zipOf({ 'x.js': 'x' }),
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
      pluginZip: zipOf({ 'x.js': 'x' }),
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
    const zip = new AdmZip(Buffer.concat(writeZip(result).chunks));
    expect(zip.readAsText('index.html')).toBe('second');
    expect(zip.readAsText('css/site.css')).toBe('body{}');
    expect(zip.getEntries()).toHaveLength(base.length + 1);
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
      pluginZip: zipOf({ 'g.js': 'g' }),
    });
    expect(carriedOverEntries(base, added)).toEqual(new Set(base.map(archiveEntryIdentity)));
  });
});

describe('listPlugins', () => {
  it('lists top-level directories with their parsed cumulocity.json', () => {
    const unreadable: string[] = [];
    const zip = new AdmZip(Buffer.concat(writeZip(base).chunks));
    expect(listPlugins(zip, (name) => unreadable.push(name))).toEqual([
      { pluginName: 'alpha', pluginPackage: { name: 'alpha', package: 'plugin' } },
      { pluginName: 'beta' },
    ]);
    expect(unreadable).toEqual(['beta']);
  });
});
