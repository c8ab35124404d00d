import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StoredArchiveContent } from './copy-stored-entries';
import { mergeEntries, prefixEntries, removeDirectory } from './edit-archive';
import { readArchive } from './read-archive';
import { readArchiveDirectory, type ArchiveDirectory } from './read-archive-directory';
import { zipOf } from './testing/zip-of';
import { writeZip, zipChunks } from './write-zip';
import { createFileEntry, type EditedZipEntry } from './zip-entry';
import { LOCAL_HEADER_SIGNATURE } from './zip-format';

interface StoredZip {
  directory: ArchiveDirectory;
  content: StoredArchiveContent;
  /** The inclusive ranges opened for streaming, and the bytes taken from each. */
  opened: { start: number; end: number; taken: number; stream: Readable }[];
}

/** `zip` as if in storage: ranged streams in `chunkSize` chunks, recording what was opened and read. */
async function stored(zip: Buffer, chunkSize = 64 * 1024): Promise<StoredZip> {
  const directory = await readArchiveDirectory({
    length: zip.length,
    read: (start, end) => Promise.resolve(zip.subarray(start, end + 1)),
  });
  const opened: StoredZip['opened'] = [];
  const content: StoredArchiveContent = {
    contentEnd: directory.contentEnd,
    open: (start, end) => {
      const chunks = function* () {
        for (let at = start; at <= end; at += chunkSize) {
          const chunk = zip.subarray(at, Math.min(end + 1, at + chunkSize));
          range.taken += chunk.length;
          yield chunk;
        }
      };
      const range = { start, end, taken: 0, stream: Readable.from(chunks()) };
      opened.push(range);
      return Promise.resolve(range.stream);
    },
  };
  return { directory, content, opened };
}

async function written(entries: readonly EditedZipEntry[], content: StoredArchiveContent): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeZip(entries, content)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('writeZip with entries kept in a stored archive', () => {
  const files: Record<string, string | Buffer> = { 'index.html': '<html>app</html>' };
  for (let index = 0; index < 300; index++) files[`assets/${index}.js`] = `export const x = ${index};`;
  files['plugin/big.bin'] = randomBytes(3 * 1024 * 1024);
  files['plugin/cumulocity.json'] = '{"name":"plugin"}';
  files['tail/last.txt'] = 'last';
  const app = zipOf(files);

  it('writes the same bytes as the same edit made with every entry in memory', async () => {
    const archive = await stored(app);
    const pluginEntries = prefixEntries(readArchive(zipOf({ 'p.js': 'p' })).entries, 'extra');
    const edited = mergeEntries(archive.directory.entries, pluginEntries);
    const inMemory = mergeEntries(readArchive(app).entries, pluginEntries);
    const chunks: Buffer[] = [];
    for await (const chunk of writeZip(edited, archive.content)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.concat([...zipChunks(inMemory)]))).toBe(true);
    // One sequential range for all kept entries: no read per entry.
    expect(archive.opened).toHaveLength(1);
    // Their headers are what the writer writes, so the stored bytes went out as the chunks they came
    // in, uncopied (all but the last, partial chunk, which is batched with what follows).
    const passedOn = chunks.filter((chunk) => chunk.buffer === app.buffer && chunk.length === 64 * 1024);
    expect(passedOn).toHaveLength(Math.floor(archive.directory.contentEnd / (64 * 1024)));
  });

  it('cuts entries out of chunks of any size, also empty files and directories', async () => {
    const small = zipOf({
      'a.txt': 'alpha',
      'empty.txt': '',
      'd/': '',
      'd/b.txt': 'beta'.repeat(50),
      'z.txt': '',
    });
    const removed = ['a.txt', 'd/b.txt'];
    const inMemory = readArchive(small).entries.filter((entry) => !removed.includes(entry.name));
    for (const chunkSize of [1, 7, 31, 4096]) {
      const archive = await stored(small, chunkSize);
      const kept = archive.directory.entries.filter((entry) => !removed.includes(entry.name));
      const result = await written(kept, archive.content);
      expect(result.equals(Buffer.concat([...zipChunks(inMemory)]))).toBe(true);
      // Small removed stretches are read past, not reopened.
      expect(archive.opened).toHaveLength(1);
    }
  });

  it('skips a removed stretch by opening a new range, and gives up each range when done', async () => {
    const archive = await stored(app);
    const { entries } = removeDirectory(archive.directory.entries, 'plugin');
    const result = await written(entries, archive.content);
    expect(readArchive(result).entries.map((entry) => entry.name)).toEqual(
      readArchive(app)
        .entries.map((entry) => entry.name)
        .filter((name) => !name.startsWith('plugin/')),
    );
    expect(archive.opened).toHaveLength(2);
    // The 3 MiB plugin was never read: each range stopped within a chunk of what it needed.
    const taken = archive.opened.reduce((sum, range) => sum + range.taken, 0);
    expect(taken).toBeLessThan(app.length - 3 * 1024 * 1024 + 3 * 64 * 1024);
  });

  it('ends the ranged read when the new archive is given up halfway (a failed write)', async () => {
    const archive = await stored(app);
    const zip = writeZip(archive.directory.entries, archive.content);
    for await (const chunk of zip) if (chunk) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(archive.opened).toHaveLength(1);
    expect(archive.opened[0].stream.destroyed).toBe(true);
    expect(archive.opened[0].taken).toBeLessThan(app.length / 2);
  });

  it('copies from a foreign zip with data descriptors and extra fields; unzip accepts the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-copy-'));
    try {
      writeFileSync(join(dir, 'a.txt'), 'alpha '.repeat(1000));
      writeFileSync(join(dir, 'b.txt'), 'beta '.repeat(1000));
      execFileSync('zip', ['-q', '-9', '-fd', join(dir, 'source.zip'), 'a.txt', 'b.txt'], { cwd: dir });
      const archive = await stored(readFileSync(join(dir, 'source.zip')));
      const result = await written(
        mergeEntries(archive.directory.entries, [createFileEntry('c.txt', Buffer.from('gamma'))]),
        archive.content,
      );
      writeFileSync(join(dir, 'result.zip'), result);
      expect(execFileSync('unzip', ['-t', join(dir, 'result.zip')]).toString()).toMatch(/No errors detected/);
      expect(execFileSync('unzip', ['-p', join(dir, 'result.zip'), 'b.txt']).toString()).toBe(
        'beta '.repeat(1000),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the stream when the stored bytes are not what the directory promised', async () => {
    const damaged = Buffer.from(app);
    const offset = readArchive(app).entries.find(
      (entry) => entry.name === 'tail/last.txt',
    )!.localHeaderOffset;
    expect(damaged.readUInt32LE(offset)).toBe(LOCAL_HEADER_SIGNATURE);
    damaged.writeUInt32LE(0, offset);
    const archive = await stored(damaged);
    await expect(written(archive.directory.entries, archive.content)).rejects.toMatchObject({
      reason: 'corrupt data',
    });
  });

  it('refuses to write kept entries without their stored archive', async () => {
    const archive = await stored(app);
    expect(() => writeZip(archive.directory.entries)).toThrow(/need it/);
  });
});
