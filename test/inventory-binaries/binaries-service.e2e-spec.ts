import { Role, type Principal } from '@depot/common';
import { ManagedObjectEntity, toManagedObjectRepresentation } from '@depot/inventory';
import { BinariesService, BinarySweeperService } from '@depot/inventory-binaries';
import { FilesystemStorageDriver } from '@depot/storage';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { startTestApp, type TestApp } from '../support/test-app';
import { blobFiles, countRows, randomContent } from './binaries-test-kit';

// The contract other modules (applications, plugins) rely on, against the real database and store.
describe('BinariesService', () => {
  let app: TestApp;
  let binaries: BinariesService;
  let principal: Principal;

  beforeAll(async () => {
    app = await startTestApp({ SWEEP_GRACE_SECONDS: '2' });
    binaries = app.app.get(BinariesService);
    principal = { tenantId: app.admin.tenant, userName: app.admin.user, roles: [Role.InventoryAdmin] };
  });
  afterAll(async () => {
    await app?.close();
  });

  const streamOf = (data: Buffer): Readable => Readable.from([data.subarray(0, 1000), data.subarray(1000)]);
  const drain = async (stream: Readable): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  it('create streams the content, runs beforeCommit inside the insert transaction, and reads back', async () => {
    const content = randomContent(5000);
    let seenInTransaction: ManagedObjectEntity | null = null;
    const created = await binaries.create(
      principal,
      {
        name: 'archive.zip',
        type: 'c8y_Report',
        contentType: 'application/zip',
        fragments: { c8y_X: 1 },
      },
      streamOf(content),
      {
        beforeCommit: async (manager, object) => {
          seenInTransaction = await manager.findOneBy(ManagedObjectEntity, { id: object.id });
        },
      },
    );
    expect(seenInTransaction).not.toBeNull();
    expect(created).toMatchObject({
      name: 'archive.zip',
      contentType: 'application/zip',
      length: 5000,
      revpos: 1,
    });
    const { object, stream } = await binaries.openContent(principal, created.id);
    expect(object.id).toBe(created.id);
    expect((await drain(stream)).equals(content)).toBe(true);
    const ranged = await binaries.openContent(principal, created.id, { start: 10, end: 19 });
    expect((await drain(ranged.stream)).equals(content.subarray(10, 20))).toBe(true);
    expect(toManagedObjectRepresentation(created, 'http://h')).toMatchObject({
      self: `http://h/inventory/binaries/${created.id}`,
      c8y_IsBinary: {},
      c8y_X: 1,
    });
    await binaries.remove(principal, created.id);
    await expect(binaries.findOne(principal, created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('leaves no row and no blob when beforeCommit fails (the transaction rolls back)', async () => {
    const rows = await countRows(app);
    const files = blobFiles(app.dataDir).length;
    await expect(
      binaries.create(principal, { name: 'doomed' }, streamOf(randomContent(3000)), {
        beforeCommit: () => Promise.reject(new Error('version conflict')),
      }),
    ).rejects.toThrow('version conflict');
    expect(await countRows(app)).toBe(rows);
    expect(blobFiles(app.dataDir)).toHaveLength(files);
  });

  it('leaves nothing when the content passes maxSize or the source fails', async () => {
    const files = blobFiles(app.dataDir).length;
    await expect(
      binaries.create(principal, { name: 'big' }, streamOf(randomContent(3000)), { maxSize: 2999 }),
    ).rejects.toMatchObject({ status: 413 });
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    await expect(binaries.create(principal, { name: 'broken' }, failing)).rejects.toThrow('source broke');
    expect(blobFiles(app.dataDir)).toHaveLength(files);
    expect(await countRows(app)).toBe(0);
  });

  it('the sweeper keeps young orphans (grace period) and referenced blobs, and removes old orphans', async () => {
    const sweeper = app.app.get(BinarySweeperService);
    const kept = await binaries.create(principal, { name: 'kept' }, streamOf(randomContent(2000)));
    const orphanKey = `${principal.tenantId}/${randomUUID()}`;
    await new FilesystemStorageDriver(path.join(app.dataDir, 'blobs')).write(
      orphanKey,
      Readable.from([Buffer.from('orphan')]),
    );
    expect(blobFiles(app.dataDir)).toHaveLength(2);
    await sweeper.sweep();
    expect(blobFiles(app.dataDir)).toHaveLength(2); // the orphan is younger than the grace period
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const result = await sweeper.sweep();
    expect(result.deleted).toBe(1);
    expect(blobFiles(app.dataDir)).toHaveLength(1);
    const { stream } = await binaries.openContent(principal, kept.id);
    expect((await drain(stream)).length).toBe(2000);
  });
});
