import {
  ApplicationType,
  type ApplicationArchivesService,
  type ApplicationEntity,
  type ApplicationsService,
  type ArchiveToStore,
  type StoreArchiveOptions,
} from '@depot/applications';
import { ArchiveWorkLimiter, readArchive, type ArchiveLimits } from '@depot/archive';
import { zipOf } from '@depot/archive/testing/zip-of';
import type { Principal } from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import type { StorageDriver } from '@depot/storage';
import { Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApplicationVersioningService } from './application-versioning.service';
import type { ArchiveChange } from './archive-change';

const principal: Principal = { tenantId: 't1', userName: 'admin', roles: [] };
const limits: ArchiveLimits = { maxEntries: 100, maxInflatedSize: 16 * 1024 * 1024 };

const activeZip = zipOf({
  'index.html': '<html>v1</html>',
  'main.js': 'console.log(1);'.repeat(200),
  'alpha/cumulocity.json': '{"name":"alpha"}',
  'alpha/a.js': 'alpha',
});

/** `zip` with the deflate stream of entry `name` damaged: only inflating it can tell. */
function withCorruptEntry(zip: Buffer, name: string): Buffer {
  const entry = readArchive(zip).entries.find((candidate) => candidate.name === name)!;
  const damaged = Buffer.from(zip);
  const middle = entry.dataEnd - Math.ceil(entry.compressedSize / 2);
  damaged[middle] ^= 0xff;
  return damaged;
}

/** Applies `change` to `active` through the service, returning what it asked to store. */
async function storedBy(
  change: ArchiveChange,
  active = activeZip,
  archiveWork = new ArchiveWorkLimiter(),
  onRead = (): void => undefined,
): Promise<{ zip: Buffer; archive: ArchiveToStore; options: StoreArchiveOptions }> {
  const application = {
    id: '7',
    tenantId: 't1',
    type: ApplicationType.Hosted,
    activeVersionId: '41',
  } as ApplicationEntity;
  const applications = {
    findOne: () => Promise.resolve(application),
    withApplicationLock: <T>(_: Principal, __: string, work: (locked: ApplicationEntity) => Promise<T>) =>
      work(application),
    findArchive: () =>
      Promise.resolve({
        id: '41',
        name: 'app.zip',
        storageKey: 'k41',
        length: active.length,
      } as ManagedObjectEntity),
  };
  let stored: { zip: Buffer; archive: ArchiveToStore; options: StoreArchiveOptions } | undefined;
  const archives = {
    limits,
    storeAndActivate: async (
      _: Principal,
      __: ApplicationEntity,
      archive: ArchiveToStore,
      options: StoreArchiveOptions,
    ) => {
      const chunks: Buffer[] = [];
      for await (const chunk of archive.content()) chunks.push(chunk as Buffer);
      stored = { zip: Buffer.concat(chunks), archive, options };
      return { id: '42' } as ManagedObjectEntity;
    },
  };
  // Ranged reads only: the change reads the directory and copies kept entries by range.
  const storage = {
    read: (_: string, range: { start: number; end: number }) => {
      onRead();
      return Promise.resolve(Readable.from([active.subarray(range.start, range.end + 1)]));
    },
  };
  const service = new ApplicationVersioningService(
    applications as unknown as ApplicationsService,
    archives as unknown as ApplicationArchivesService,
    storage as unknown as StorageDriver,
    archiveWork,
  );
  await service.applyChange(principal, '7', change);
  if (!stored) throw new Error('nothing stored');
  return stored;
}

describe('ApplicationVersioningService: validating a change', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('stores what it validated: the streamed zip holds exactly the validated entries', async () => {
    const { zip, archive, options } = await storedBy({
      operation: 'writeFiles',
      files: [
        { path: 'index.html', content: Buffer.from('<html>v2</html>') },
        { path: 'new.css', content: Buffer.from('body{}') },
      ],
    });
    expect(options.expectedActiveVersionId).toBe('41');
    const names = ['alpha/a.js', 'alpha/cumulocity.json', 'index.html', 'main.js', 'new.css'];
    expect(archive.validated.entries.map((entry) => entry.name).sort()).toEqual(names);
    expect(
      readArchive(zip)
        .entries.map((entry) => entry.name)
        .sort(),
    ).toEqual(names);
  });

  it('inflates only what the change brings in, not what it keeps from the stored archive', async () => {
    // A damaged stored entry goes unnoticed when it is carried over (it was proven when stored)...
    const damaged = withCorruptEntry(activeZip, 'main.js');
    await expect(
      storedBy({ operation: 'writeFiles', files: [{ path: 'x.css', content: Buffer.from('x') }] }, damaged),
    ).resolves.toBeDefined();
    // ...but the same bytes arriving in a plugin are inflated, and refused.
    const pluginZip = withCorruptEntry(zipOf({ 'main.js': 'console.log(1);'.repeat(200) }), 'main.js');
    await expect(
      storedBy({ operation: 'addPlugin', pluginName: 'alpha', pluginZip }, damaged),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('reads the kept root cumulocity.json by range and validates it: the manifest of the new version', async () => {
    const withManifest = zipOf({
      'index.html': '<html>v1</html>',
      'cumulocity.json': '{"name":"app","contextPath":"app"}',
      'alpha/a.js': 'alpha',
    });
    const { archive } = await storedBy({ operation: 'removePlugin', pluginName: 'alpha' }, withManifest);
    expect(archive.validated.manifest).toEqual({ name: 'app', contextPath: 'app' });
    const broken = zipOf({ 'index.html': '<html>v1</html>', 'cumulocity.json': '[1]', 'alpha/a.js': 'a' });
    await expect(storedBy({ operation: 'removePlugin', pluginName: 'alpha' }, broken)).rejects.toMatchObject({
      reason: 'invalid manifest',
    });
  });

  it('reads and builds only in a slot of the archive work limiter; excess changes wait, then succeed', async () => {
    const archiveWork = new ArchiveWorkLimiter(1);
    let release!: () => void;
    const busy = archiveWork.run(() => new Promise<void>((resolve) => (release = resolve)));
    let reads = 0;
    const change = storedBy(
      { operation: 'writeFiles', files: [{ path: 'x.css', content: Buffer.from('x') }] },
      activeZip,
      archiveWork,
      () => reads++,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(0);
    expect(archiveWork.queued).toBe(1);
    release();
    await busy;
    await expect(change).resolves.toBeDefined();
    expect(reads).toBeGreaterThan(0);
  });
});
