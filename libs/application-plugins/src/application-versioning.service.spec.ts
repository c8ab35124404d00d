import AdmZip from 'adm-zip';
import {
  archiveEntryIdentity,
  ApplicationType,
  validateArchive,
  type ApplicationArchivesService,
  type ApplicationEntity,
  type ApplicationsService,
  type ArchiveLimits,
  type StoreArchiveOptions,
} from '@depot/applications';
import type { Principal } from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import type { StorageDriver } from '@depot/storage';
import { Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApplicationVersioningService } from './application-versioning.service';
import type { ArchiveChange } from './archive-change';
import { writeZip } from './zip/write-zip';
import { createFileEntry, readZipEntries } from './zip/zip-entry';

const principal: Principal = { tenantId: 't1', userName: 'admin', roles: [] };
const limits: ArchiveLimits = { maxEntries: 100, maxInflatedSize: 16 * 1024 * 1024 };

function zipOf(files: Record<string, string>): Buffer {
  return Buffer.concat(
    writeZip(Object.entries(files).map(([name, content]) => createFileEntry(name, Buffer.from(content))))
      .chunks,
  );
}

const activeZip = zipOf({
  'index.html': '<html>v1</html>',
  'main.js': 'console.log(1);'.repeat(200),
  'alpha/cumulocity.json': '{"name":"alpha"}',
  'alpha/a.js': 'alpha',
});

function identityOf(zip: Buffer, name: string): string {
  const entry = readZipEntries(new AdmZip(zip)).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no entry ${name}`);
  return archiveEntryIdentity(entry);
}

/** Applies `change` to `activeZip` through the service, returning what it asked to store. */
async function storedBy(change: ArchiveChange): Promise<{ zip: Buffer; options: StoreArchiveOptions }> {
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
      Promise.resolve({ id: '41', name: 'app.zip', storageKey: 'k41' } as ManagedObjectEntity),
  };
  let stored: { zip: Buffer; options: StoreArchiveOptions } | undefined;
  const archives = {
    limits,
    storeAndActivate: (_: Principal, __: ApplicationEntity, zip: Buffer, options: StoreArchiveOptions) => {
      stored = { zip, options };
      return Promise.resolve({ id: '42' } as ManagedObjectEntity);
    },
  };
  const storage = { read: () => Promise.resolve(Readable.from([activeZip])) };
  const service = new ApplicationVersioningService(
    applications as unknown as ApplicationsService,
    archives as unknown as ApplicationArchivesService,
    storage as unknown as StorageDriver,
  );
  await service.applyChange(principal, '7', change);
  if (!stored) throw new Error('nothing stored');
  return stored;
}

describe('ApplicationVersioningService: validating a change', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('marks as proven only the files carried over unchanged, not one rewritten under the same name', async () => {
    const { zip, options } = await storedBy({
      operation: 'writeFiles',
      files: [
        { path: 'index.html', content: Buffer.from('<html>v2</html>') },
        { path: 'new.css', content: Buffer.from('body{}') },
      ],
    });
    expect(options.expectedActiveVersionId).toBe('41');
    expect(options.provenEntries).toEqual(
      new Set(['main.js', 'alpha/cumulocity.json', 'alpha/a.js'].map((name) => identityOf(activeZip, name))),
    );
    // The identities name the new archive's entries as the validator sees them.
    expect(options.provenEntries).toEqual(
      new Set(['main.js', 'alpha/cumulocity.json', 'alpha/a.js'].map((name) => identityOf(zip, name))),
    );
    const validated = await validateArchive(zip, limits, { provenEntries: options.provenEntries });
    expect(validated.entries.map((entry) => entry.name).sort()).toEqual([
      'alpha/a.js',
      'alpha/cumulocity.json',
      'index.html',
      'main.js',
      'new.css',
    ]);
  });

  it('does not mark plugin files as proven, also where they replace a file of the same name', async () => {
    const { options } = await storedBy({
      operation: 'addPlugin',
      pluginName: 'alpha',
      pluginZip: zipOf({ 'a.js': 'changed', 'b.js': 'beta' }),
    });
    expect(options.provenEntries).toEqual(
      new Set(['index.html', 'main.js', 'alpha/cumulocity.json'].map((name) => identityOf(activeZip, name))),
    );
  });
});
