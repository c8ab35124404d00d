import AdmZip from 'adm-zip';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InvalidArchiveError, InvalidArchiveReason } from './invalid-archive.error';
import { buildRawZip, RawZipEntry } from './testing/build-raw-zip';
import { readArchive } from './read-archive';
import {
  ArchiveLimits,
  archiveEntryIdentity,
  validateArchive,
  type ValidateArchiveOptions,
  type ValidatedArchive,
} from './validate-archive';

/** Reads and validates, as every caller does. */
function validate(
  zip: Buffer,
  limits: ArchiveLimits,
  options?: ValidateArchiveOptions,
): Promise<ValidatedArchive> {
  return Promise.resolve().then(() => validateArchive(readArchive(zip, limits.maxEntries), limits, options));
}

const limits: ArchiveLimits = { maxEntries: 100, maxInflatedSize: 64 * 1024 * 1024 };
const index: RawZipEntry = { name: 'index.html', data: '<html></html>' };

async function reasonOf(zip: Buffer, overrides: Partial<ArchiveLimits> = {}): Promise<InvalidArchiveReason> {
  try {
    await validate(zip, { ...limits, ...overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArchiveError);
    const invalid = error as InvalidArchiveError;
    expect(invalid.status).toBe(422);
    expect(invalid.error).toBe('applications/Invalid Data');
    return invalid.reason;
  }
  throw new Error('archive was accepted');
}

/** Identities of the named entries as their headers describe them, as a caller that proved them would pass. */
function identitiesOf(zip: Buffer, ...names: string[]): Set<string> {
  return new Set(
    new AdmZip(zip)
      .getEntries()
      .filter((entry) => names.includes(entry.entryName))
      .map(({ entryName, header }) =>
        archiveEntryIdentity({
          name: entryName,
          method: header.method,
          crc: header.crc,
          compressedSize: header.compressedSize,
          size: header.size,
        }),
      ),
  );
}

function withCentralOffset(zip: Buffer, entryIndex: number, offset: number): Buffer {
  const patched = Buffer.from(zip);
  let position = patched.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  for (let i = 0; i < entryIndex; i++) {
    const length = 46 + patched.readUInt16LE(position + 28) + patched.readUInt16LE(position + 30);
    position += length + patched.readUInt16LE(position + 32);
  }
  patched.writeUInt32LE(offset, position + 42);
  return patched;
}

describe('validateArchive', () => {
  it('accepts a plain web app and reports its entries and root manifest', async () => {
    const zip = buildRawZip([
      index,
      { name: 'assets/', unixMode: 0o040755, method: 0 },
      { name: 'assets/app.js', data: 'console.log(1)'.repeat(100) },
      { name: 'ünïcødé/файл.txt', data: 'x', method: 0 },
      { name: 'cumulocity.json', data: JSON.stringify({ isPackage: true, package: 'plugin' }) },
      { name: 'plugin/cumulocity.json', data: '{}' },
    ]);
    const result = await validate(zip, limits);
    expect(result.entries.map((entry) => entry.name)).toEqual([
      'index.html',
      'assets',
      'assets/app.js',
      'ünïcødé/файл.txt',
      'cumulocity.json',
      'plugin/cumulocity.json',
    ]);
    expect(result.entries[1]).toEqual({ name: 'assets', isDirectory: true, size: 0 });
    expect(result.entries[2].size).toBe(1400);
    expect(result.manifest).toEqual({ isPackage: true, package: 'plugin' });
  });

  it('accepts segments of exactly 255 bytes', async () => {
    const name = `${'\u00e9'.repeat(127)}x/${'a'.repeat(255)}`;
    const result = await validate(buildRawZip([index, { name, data: 'x' }]), limits);
    expect(result.entries.map((entry) => entry.name)).toContain(name);
  });

  it('accepts what adm-zip writes (Windows-style attributes, no unix mode)', async () => {
    const zip = new AdmZip();
    zip.addFile('index.html', Buffer.from('<html></html>'));
    zip.addFile('css/', Buffer.alloc(0));
    zip.addFile('css/site.css', Buffer.from('body{}'));
    const result = await validate(zip.toBuffer(), limits);
    expect(result.manifest).toBeUndefined();
    expect(result.inflatedSize).toBe(19);
  });

  it('accepts what streaming zippers write (data descriptors, sizes only in the central directory)', async () => {
    const zip = buildRawZip([
      { ...index, dataDescriptor: true },
      { name: 'main.js', data: 'x'.repeat(5000), dataDescriptor: true },
    ]);
    const result = await validate(zip, limits);
    expect(result.entries.map((entry) => [entry.name, entry.size])).toEqual([
      ['index.html', 13],
      ['main.js', 5000],
    ]);
  });

  const bomb = Buffer.alloc(32 * 1024 * 1024);
  const cases: [string, () => Buffer, InvalidArchiveReason, Partial<ArchiveLimits>?][] = [
    ['not a zip at all', () => Buffer.from('hello, I am not a zip'), 'not a zip'],
    ['a zip without files', () => buildRawZip([{ name: 'dir/', unixMode: 0o040755, method: 0 }]), 'empty'],
    ['zip slip with ..', () => buildRawZip([index, { name: '../../evil.js', data: 'x' }]), 'unsafe name'],
    ['zip slip nested ..', () => buildRawZip([index, { name: 'a/../../evil.js', data: 'x' }]), 'unsafe name'],
    ['an absolute path', () => buildRawZip([index, { name: '/etc/cron.d/evil', data: 'x' }]), 'unsafe name'],
    ['a drive letter', () => buildRawZip([index, { name: 'C:/evil', data: 'x' }]), 'unsafe name'],
    ['a backslash', () => buildRawZip([index, { name: '..\\..\\evil.js', data: 'x' }]), 'unsafe name'],
    [
      'a NUL byte in the name',
      () => buildRawZip([index, { name: Buffer.from('evil.js\0.png'), data: 'x' }]),
      'unsafe name',
    ],
    ['a control character', () => buildRawZip([index, { name: 'a\nb.js', data: 'x' }]), 'unsafe name'],
    // 200 'é' are 400 bytes: no filesystem can create that name, so serving could not extract it.
    [
      'a name segment over 255 bytes',
      () => buildRawZip([index, { name: '\u00e9'.repeat(200), data: 'x' }]),
      'unsafe name',
    ],
    [
      'a directory segment over 255 bytes',
      () => buildRawZip([index, { name: `${'d'.repeat(256)}/a.js`, data: 'x' }]),
      'unsafe name',
    ],
    ['a dot segment', () => buildRawZip([index, { name: './index.js', data: 'x' }]), 'unsafe name'],
    [
      'a symlink entry',
      () => buildRawZip([index, { name: 'passwd', data: '/etc/passwd', unixMode: 0o120777 }]),
      'symlink',
    ],
    ['a fifo entry', () => buildRawZip([index, { name: 'pipe', unixMode: 0o010644 }]), 'special file'],
    [
      'an exact duplicate name',
      () => buildRawZip([index, { name: 'index.html', data: 'evil' }]),
      'duplicate name',
    ],
    [
      'a duplicate after case folding',
      () => buildRawZip([index, { name: 'INDEX.HTML', data: 'evil' }]),
      'duplicate name',
    ],
    [
      'a duplicate after Unicode normalisation',
      () => buildRawZip([index, { name: 'caf\u00e9.js', data: 'a' }, { name: 'cafe\u0301.js', data: 'b' }]),
      'duplicate name',
    ],
    [
      'a duplicate directory and file',
      () => buildRawZip([index, { name: 'a/', unixMode: 0o040755, method: 0 }, { name: 'a', data: 'x' }]),
      'duplicate name',
    ],
    [
      'a file where a directory is needed',
      () => buildRawZip([index, { name: 'a', data: 'x' }, { name: 'a/b.js', data: 'y' }]),
      'file and directory share a name',
    ],
    [
      'too many entries',
      () => buildRawZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.js`, data: 'x' }))),
      'too many entries',
      { maxEntries: 10 },
    ],
    [
      'an encrypted entry',
      () => buildRawZip([index, { name: 'secret', data: 'x', flags: 0x0801 }]),
      'encrypted',
    ],
    [
      'a header that claims less than it inflates to',
      () => buildRawZip([index, { name: 'liar.bin', data: Buffer.alloc(1024 * 1024), declaredSize: 100 }]),
      'size differs from header',
    ],
    [
      'a header that claims more than it inflates to',
      () => buildRawZip([index, { name: 'liar.bin', data: 'short', declaredSize: 1000 }]),
      'size differs from header',
    ],
    [
      'a stored entry with a lying size',
      () => buildRawZip([index, { name: 'liar.bin', data: 'short', method: 0, declaredSize: 1000 }]),
      'size differs from header',
    ],
    [
      'a wrong CRC',
      () => buildRawZip([index, { name: 'a.js', data: 'x', declaredCrc: 1234 }]),
      'crc mismatch',
    ],
    [
      'a local header name that differs from the central directory',
      () => buildRawZip([index, { name: 'safe.js', localName: '../evil.js', data: 'x' }]),
      'local header differs',
    ],
    [
      'entries that share compressed data',
      () => withCentralOffset(buildRawZip([index, { name: 'a.js', data: 'x' }]), 1, 0),
      'overlapping entries',
    ],
    [
      'a bomb with an honest header',
      () => buildRawZip([index, { name: 'zeros.bin', data: bomb }]),
      'compression ratio',
    ],
    [
      'a bomb that lies about its size',
      () => buildRawZip([index, { name: 'zeros.bin', data: bomb, declaredSize: 1000 }]),
      'size differs from header',
    ],
    [
      'more inflated data than allowed (counted, ratio disabled)',
      () => buildRawZip([index, { name: 'zeros.bin', data: bomb }]),
      'inflated size limit',
      { maxInflatedSize: 1024 * 1024, maxCompressionRatio: Number.MAX_SAFE_INTEGER },
    ],
    [
      'incompressible data above the inflated limit',
      () => buildRawZip([index, { name: 'random.bin', data: randomBytes(300 * 1024), method: 0 }]),
      'inflated size limit',
      { maxInflatedSize: 200 * 1024 },
    ],
    [
      'a manifest that is not JSON',
      () => buildRawZip([index, { name: 'cumulocity.json', data: '{nope' }]),
      'invalid manifest',
    ],
    [
      'a manifest that is not an object',
      () => buildRawZip([index, { name: 'cumulocity.json', data: '[1,2]' }]),
      'invalid manifest',
    ],
    [
      'a manifest holding U+0000 (jsonb cannot store it)',
      () => buildRawZip([index, { name: 'cumulocity.json', data: '{"name":"a\\u0000b"}' }]),
      'invalid manifest',
    ],
    [
      'a manifest nested deeper than 64 levels',
      () =>
        buildRawZip([index, { name: 'cumulocity.json', data: `{"a":${'['.repeat(100)}${']'.repeat(100)}}` }]),
      'invalid manifest',
    ],
  ];

  // Rows have 3 or 4 cells; a rest parameter keeps jest from expecting a `done` callback.
  it.each(cases)('rejects %s', async (...[, build, reason, overrides]) => {
    expect(await reasonOf(build(), overrides)).toBe(reason);
  });

  it('stops inflating a lying bomb early instead of trusting or allocating its declared size', async () => {
    const zip = buildRawZip([index, { name: 'zeros.bin', data: bomb, declaredSize: 0xfffffff0 }]);
    const before = process.memoryUsage().arrayBuffers;
    expect(await reasonOf(zip, { maxInflatedSize: 4 * 1024 * 1024, maxCompressionRatio: 1e9 })).toBe(
      'inflated size limit',
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  describe('with proven entries (copies of entries validated before)', () => {
    // Incompressible padding keeps the archive as a whole below the ratio limit: only the entry trips it.
    const padding: RawZipEntry = { name: 'padding.bin', data: randomBytes(200 * 1024), method: 0 };
    const bombEntry: RawZipEntry = { name: 'zeros.bin', data: bomb };
    let zip: Buffer;
    beforeAll(() => {
      zip = buildRawZip([index, padding, bombEntry]);
    });

    it('inflates an entry that is not proven (the bomb is refused)', async () => {
      expect(await reasonOf(zip)).toBe('compression ratio');
      const otherEntryProven = identitiesOf(zip, 'padding.bin');
      await expect(validate(zip, limits, { provenEntries: otherEntryProven })).rejects.toMatchObject({
        reason: 'compression ratio',
      });
    });

    it('does not inflate a proven entry, but counts its header size toward the inflated limit', async () => {
      const provenEntries = identitiesOf(zip, 'zeros.bin');
      const result = await validate(zip, limits, { provenEntries });
      expect(result.entries.find((entry) => entry.name === 'zeros.bin')?.size).toBe(bomb.length);
      expect(result.inflatedSize).toBe(13 + 200 * 1024 + bomb.length);
      await expect(
        validate(zip, { ...limits, maxInflatedSize: bomb.length }, { provenEntries }),
      ).rejects.toMatchObject({ reason: 'inflated size limit' });
    });

    it('inflates an entry of a proven name whose header or bytes differ', async () => {
      const provenEntries = identitiesOf(zip, 'zeros.bin');
      const liar = buildRawZip([index, padding, { ...bombEntry, declaredSize: 1000 }]);
      await expect(validate(liar, limits, { provenEntries })).rejects.toMatchObject({
        reason: 'size differs from header',
      });
      const otherBytes = buildRawZip([index, padding, { ...bombEntry, data: Buffer.alloc(bomb.length, 1) }]);
      await expect(validate(otherBytes, limits, { provenEntries })).rejects.toMatchObject({
        reason: 'compression ratio',
      });
    });

    it.each<[string, RawZipEntry[], InvalidArchiveReason]>([
      ['an unsafe name', [index, { name: '../evil.js', data: 'x' }], 'unsafe name'],
      ['a duplicate after case folding', [index, { name: 'INDEX.HTML', data: 'x' }], 'duplicate name'],
      ['a symlink', [index, { name: 'passwd', data: '/etc/passwd', unixMode: 0o120777 }], 'symlink'],
    ])('still checks the name and kind of a proven entry: %s', async (_, rawEntries, reason) => {
      const unsafe = buildRawZip(rawEntries);
      const provenEntries = identitiesOf(unsafe, ...rawEntries.map((entry) => String(entry.name)));
      await expect(validate(unsafe, limits, { provenEntries })).rejects.toMatchObject({ reason });
    });

    it('still inflates and parses a proven root cumulocity.json', async () => {
      const withManifest = buildRawZip([index, { name: 'cumulocity.json', data: '{"version":"1.0.0"}' }]);
      const provenEntries = identitiesOf(withManifest, 'index.html', 'cumulocity.json');
      const result = await validate(withManifest, limits, { provenEntries });
      expect(result.manifest).toEqual({ version: '1.0.0' });
    });
  });

  // Info-ZIP's `zip` where installed: real archives, and a real stored symlink (`zip -y`).
  const hasZip = spawnSync('zip', ['-v']).status === 0;
  (hasZip ? it : it.skip)('accepts an Info-ZIP archive and refuses one that stores a symlink', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'depot-zip-'));
    try {
      writeFileSync(path.join(dir, 'index.html'), '<html></html>');
      execFileSync('zip', ['-qr', path.join(dir, 'plain.zip'), 'index.html'], { cwd: dir });
      expect((await validate(readFileSync(path.join(dir, 'plain.zip')), limits)).entries).toHaveLength(1);
      symlinkSync('/etc/passwd', path.join(dir, 'passwd'));
      execFileSync('zip', ['-qry', path.join(dir, 'link.zip'), 'index.html', 'passwd'], { cwd: dir });
      expect(await reasonOf(readFileSync(path.join(dir, 'link.zip')))).toBe('symlink');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
