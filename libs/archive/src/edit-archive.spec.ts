import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CumulocityError } from '@depot/common';
import { mergeEntries, prefixEntries, removeDirectory, topLevelDirectories } from './edit-archive';
import { readArchive } from './read-archive';
import { zipOf } from './testing/zip-of';
import { validateArchive, validateEntries } from './validate-archive';
import { writeZip, zipChunks, zipLength } from './write-zip';
import { createFileEntry, type ZipEntryData } from './zip-entry';

function entriesOf(buffer: Buffer): ZipEntryData[] {
  return [...readArchive(buffer).entries];
}

function contentsOf(buffer: Buffer): Record<string, string> {
  const zip = new AdmZip(buffer);
  return Object.fromEntries(
    zip
      .getEntries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => [entry.entryName, entry.getData().toString()]),
  );
}

function rebuild(entries: ZipEntryData[]): Buffer {
  return Buffer.concat([...zipChunks(entries)]);
}

function invalidDataMessage(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof CumulocityError && Number(error.status) === 422) return error.message;
    throw error;
  }
  return undefined;
}

describe('archive edits', () => {
  const app = zipOf({
    'index.html': '<html>app</html>',
    'main.js': 'console.log(1)'.repeat(100),
    'plugin/cumulocity.json': '{"name":"old"}',
    'plugin/old.js': 'old',
    'other/keep.txt': 'keep',
  });

  it('merges a plugin into its directory: same paths overwritten, other files kept', () => {
    const plugin = zipOf({ 'cumulocity.json': '{"name":"new"}', 'new.js': 'new', 'sub/deep.js': 'deep' });
    const merged = rebuild(mergeEntries(entriesOf(app), prefixEntries(entriesOf(plugin), 'plugin')));
    expect(contentsOf(merged)).toEqual({
      'index.html': '<html>app</html>',
      'main.js': 'console.log(1)'.repeat(100),
      'plugin/cumulocity.json': '{"name":"new"}',
      'plugin/old.js': 'old',
      'plugin/new.js': 'new',
      'plugin/sub/deep.js': 'deep',
      'other/keep.txt': 'keep',
    });
  });

  it('replaces a plugin directory when it is removed first', () => {
    const plugin = zipOf({ 'new.js': 'new' });
    const { entries } = removeDirectory(entriesOf(app), 'plugin');
    const replaced = rebuild(mergeEntries(entries, prefixEntries(entriesOf(plugin), 'plugin')));
    expect(Object.keys(contentsOf(replaced)).sort()).toEqual([
      'index.html',
      'main.js',
      'other/keep.txt',
      'plugin/new.js',
    ]);
  });

  it('removes a directory and reports how many entries went', () => {
    const { entries, removed } = removeDirectory(entriesOf(app), 'plugin');
    expect(removed).toBe(2);
    expect(topLevelDirectories(entries)).toEqual(['other']);
    expect(removeDirectory(entriesOf(app), 'plug').removed).toBe(0);
  });

  it('writes single files, overwriting the same path', () => {
    const written = rebuild(
      mergeEntries(entriesOf(app), [
        createFileEntry('index.html', Buffer.from('<html>v2</html>')),
        createFileEntry('assets/new.css', Buffer.from('body{}')),
      ]),
    );
    const contents = contentsOf(written);
    expect(contents['index.html']).toBe('<html>v2</html>');
    expect(contents['assets/new.css']).toBe('body{}');
    expect(contents['plugin/old.js']).toBe('old');
  });

  it('treats names that differ only in case or Unicode normalisation as the same path', () => {
    const merged = rebuild(
      mergeEntries(entriesOf(app), [
        createFileEntry('PLUGIN/Old.js', Buffer.from('replaced')),
        createFileEntry('Index.html', Buffer.from('<html>v3</html>')),
      ]),
    );
    expect(contentsOf(merged)).toMatchObject({
      'PLUGIN/Old.js': 'replaced',
      'Index.html': '<html>v3</html>',
    });
    expect(contentsOf(merged)).not.toHaveProperty('plugin/old.js');
    expect(contentsOf(merged)).not.toHaveProperty('index.html');
  });

  it('refuses a file where the application has a directory, and the reverse', () => {
    expect(
      invalidDataMessage(() => mergeEntries(entriesOf(app), [createFileEntry('plugin', Buffer.from('x'))])),
    ).toMatch(/directory/);
    expect(
      invalidDataMessage(() =>
        mergeEntries(entriesOf(app), [createFileEntry('index.html/x', Buffer.from('x'))]),
      ),
    ).toMatch(/file/);
    expect(
      invalidDataMessage(() =>
        mergeEntries([], [createFileEntry('a', Buffer.from('x')), createFileEntry('a/b', Buffer.from('y'))]),
      ),
    ).toMatch(/both a file and a directory/);
  });

  it.each(['../evil.js', 'a/../../evil.js', '/abs.js', 'a\\..\\b', 'a//b'])(
    'never lets a plugin entry named %j out of its directory',
    (name) => {
      expect(
        invalidDataMessage(() => prefixEntries([createFileEntry(name, Buffer.from('x'))], 'plugin')),
      ).toMatch(/Invalid entry name/);
    },
  );

  it('lists top-level directories, explicit or implied', () => {
    expect(topLevelDirectories([{ name: 'a/x' }, { name: 'b/' }, { name: 'c' }, { name: 'a/y/z' }])).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('carrying entries over without re-compressing', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'depot-zip-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the compressed bytes of untouched entries identical and stays readable by unzip', () => {
    // Info-ZIP's zip writes data descriptors, extra fields and its own deflate stream: a good foreign source.
    writeFileSync(join(dir, 'a.txt'), 'alpha '.repeat(1000));
    writeFileSync(join(dir, 'b.txt'), 'beta '.repeat(1000));
    execFileSync('zip', ['-q', '-9', '-fd', join(dir, 'source.zip'), 'a.txt', 'b.txt'], { cwd: dir });
    const source = new AdmZip(join(dir, 'source.zip'));
    const sourceEntries = entriesOf(source.toBuffer());
    const plugin = prefixEntries([createFileEntry('p.js', Buffer.from('plugin'))], 'p');

    const merged = rebuild(mergeEntries(sourceEntries, plugin));
    writeFileSync(join(dir, 'merged.zip'), merged);
    expect(execFileSync('unzip', ['-t', join(dir, 'merged.zip')]).toString()).toMatch(/No errors detected/);

    const after = entriesOf(merged);
    for (const original of sourceEntries) {
      const copied = after.find((entry) => entry.name === original.name);
      expect(copied?.data.equals(original.data)).toBe(true);
      expect(copied?.crc).toBe(original.crc);
    }
    expect(new AdmZip(merged).readAsText('a.txt')).toBe('alpha '.repeat(1000));
  });

  it('writes zips the archive validator accepts', async () => {
    const merged = rebuild(
      mergeEntries(
        entriesOf(zipOf({ 'index.html': 'x', 'a/b.js': 'b' })),
        prefixEntries(entriesOf(zipOf({ 'p.js': 'p' })), 'p'),
      ),
    );
    const limits = { maxEntries: 10, maxInflatedSize: 1024 };
    const expected = { entries: [{ name: 'index.html' }, { name: 'a/b.js' }, { name: 'p/p.js' }] };
    await expect(validateArchive(readArchive(merged), limits)).resolves.toMatchObject(expected);
    await expect(validateEntries(entriesOf(merged), limits)).resolves.toMatchObject(expected);
  });

  it('streams what it lays out: the bytes of zipLength, big entries as their own buffers', async () => {
    const big = randomBytes(256 * 1024);
    const files: Record<string, string | Buffer> = { 'big.bin': big, 'c/': '' };
    for (let index = 0; index < 2000; index++) files[`small/${index}.js`] = `export const x = ${index};`;
    const entries = entriesOf(zipOf(files));
    const chunks: Buffer[] = [];
    for await (const chunk of writeZip(entries)) chunks.push(chunk as Buffer);
    const written = Buffer.concat(chunks);
    expect(written.length).toBe(zipLength(entries));
    expect(written.equals(rebuild(entries))).toBe(true);
    // The big entry goes out as a slice of its source, never copied; the small ones in few batches.
    expect(
      chunks.some((chunk) => chunk.buffer === entries[0].data.buffer && chunk.length === big.length),
    ).toBe(true);
    expect(chunks.length).toBeLessThan(20);
  });

  it('drops ZIP64 records of a streamed Info-ZIP entry and writes plain sizes', () => {
    // `zip -fz -` from stdin: sizes unknown up front, so a ZIP64 extra field and a data descriptor.
    execFileSync('sh', ['-c', `printf 'streamed content' | zip -q -fz ${join(dir, 'streamed.zip')} -`]);
    const source = entriesOf(readFileSync(join(dir, 'streamed.zip')));
    const rebuilt = rebuild(source);
    writeFileSync(join(dir, 'rebuilt.zip'), rebuilt);
    expect(execFileSync('unzip', ['-t', join(dir, 'rebuilt.zip')]).toString()).toMatch(/No errors detected/);
    expect(execFileSync('zipinfo', ['-v', join(dir, 'rebuilt.zip')]).toString()).not.toMatch(/0x0001/);
    expect(new AdmZip(rebuilt).readAsText('-')).toBe('streamed content');
  });

  it('shares the source buffer instead of copying entry data', () => {
    const source = zipOf({ 'x.txt': 'x'.repeat(10_000) });
    const [entry] = entriesOf(source);
    expect(entry.data.buffer).toBe(source.buffer);
  });
});
