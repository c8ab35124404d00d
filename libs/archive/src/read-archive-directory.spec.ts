import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArchive } from './read-archive';
import { readArchiveDirectory, type ArchiveByteSource } from './read-archive-directory';
import { zipOf } from './testing/zip-of';

/** The fields an edit copies, as `readArchive` (adm-zip, at validation) describes each entry. */
function headersOf(zip: Buffer) {
  return readArchive(zip).entries.map((entry) => ({
    name: entry.name,
    isDirectory: entry.isDirectory,
    method: entry.method,
    crc: entry.crc,
    size: entry.size,
    compressedSize: entry.compressedSize,
    dosTime: entry.dosTime,
    versionMadeBy: entry.versionMadeBy,
    externalAttributes: entry.externalAttributes,
    flags: entry.flags,
    extra: entry.extra,
    localHeaderOffset: entry.localHeaderOffset,
  }));
}

function sourceOf(zip: Buffer, reads: [number, number][] = []): ArchiveByteSource {
  return {
    length: zip.length,
    read: (start, end) => {
      reads.push([start, end]);
      return Promise.resolve(zip.subarray(start, end + 1));
    },
  };
}

describe('readArchiveDirectory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'depot-directory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists what readArchive lists and reads one entry, touching only the tail and that entry', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const zip = zipOf({ 'index.html': 'x', 'big.bin': big, 'p/': '', 'p/cumulocity.json': '{"a":1}' });
    const reads: [number, number][] = [];
    const directory = await readArchiveDirectory(sourceOf(zip, reads));
    expect(directory.entries).toEqual(headersOf(zip));
    expect(directory.contentEnd).toBe(readArchive(zip).entries.at(-1)!.dataEnd);
    const manifest = directory.entries.find((entry) => entry.name === 'p/cumulocity.json')!;
    expect((await directory.readContent(manifest, 1024)).toString()).toBe('{"a":1}');
    const bytesRead = reads.reduce((sum, [start, end]) => sum + end - start + 1, 0);
    expect(bytesRead).toBeLessThan(70 * 1024);
    const bigEntry = directory.entries.find((entry) => entry.name === 'big.bin')!;
    await expect(directory.readContent(bigEntry, 1024)).rejects.toMatchObject({ status: 422 });
  });

  it('reads foreign zips: Info-ZIP with an archive comment, and a streamed ZIP64 one', async () => {
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    execFileSync('sh', [
      '-c',
      `cd ${dir} && zip -q plain.zip a.txt && echo "a comment" | zip -q -z plain.zip`,
    ]);
    execFileSync('sh', ['-c', `printf 'streamed' | zip -q -fz ${join(dir, 'zip64.zip')} -`]);
    for (const [file, name, content] of [
      ['plain.zip', 'a.txt', 'alpha'],
      ['zip64.zip', '-', 'streamed'],
    ]) {
      const zip = readFileSync(join(dir, file));
      const directory = await readArchiveDirectory(sourceOf(zip));
      expect(directory.entries.map((entry) => entry.name)).toEqual([name]);
      expect(directory.entries).toEqual(headersOf(zip));
      expect((await directory.readContent(directory.entries[0], 1024)).toString()).toBe(content);
    }
  });

  it('refuses what is not a zip', async () => {
    await expect(readArchiveDirectory(sourceOf(Buffer.from('not a zip at all')))).rejects.toMatchObject({
      reason: 'not a zip',
    });
  });
});
