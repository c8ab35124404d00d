import {
  CumulocityError,
  DepotMetrics,
  DownloadGoneError,
  etagMatches,
  RangeNotSatisfiableError,
  type DownloadContent,
  type Page,
  type Principal,
} from '@depot/common';
import {
  assertCanModify,
  assertCanRead,
  assertStorableNameAndType,
  InventoryService,
  ManagedObjectEntity,
  ManagedObjectOwners,
  notFound,
  type Fragments,
  type ManagedObjectListFilter,
  type RepresentedManagedObject,
} from '@depot/inventory';
import {
  createStreamMeter,
  STORAGE_DRIVER,
  StorageFullError,
  StorageNotFoundError,
  StorageRangeError,
  StreamTooLargeError,
  type ByteRange,
  type StorageDriver,
} from '@depot/storage';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { binaryEtag } from './binary-etag';
import { chooseContentType } from './content-type';
import { feedInto } from './feed-into';
import { uploadOutcomeOf } from './upload-outcome';
import {
  INVENTORY_BINARIES_OPTIONS,
  type InventoryBinariesModuleOptions,
} from './inventory-binaries.options';
import { TenantStorageService, type StorageReservation } from './tenant-storage.service';
/** Metadata of a new binary. */
export interface BinaryMeta {
  name?: string;
  type?: string;
  contentType?: string;
  fragments?: Fragments;
}

export interface CreateBinaryOptions {
  /** Byte limit for this upload (defaults to `MAX_BINARY_SIZE`). */
  maxSize?: number;
  /** Runs inside the insert's transaction (e.g. to record an application version with the archive). */
  beforeCommit?: (manager: EntityManager, created: ManagedObjectEntity) => Promise<void>;
}

/** A blob that has been written and measured but that no row references yet. */
export interface StoredContent {
  key: string;
  length: number;
  md5: string;
  sha256: string;
  /** The quota room held for it until commit or discard. */
  reservation?: StorageReservation;
}

export interface ReplaceOptions {
  contentType?: string;
  ifMatch?: string;
  maxSize?: number;
  /** The size the client declared (Content-Length): quota is reserved for it up front. */
  declaredLength?: number;
}

/** The columns `insert` writes, in the order of its parameters. */
const INSERT_COLUMNS = [
  'tenant_id',
  'owner',
  'name',
  'type',
  'fragments',
  'creation_time',
  'last_updated',
  'storage_key',
  'length',
  'content_type',
  'md5',
  'sha256',
  'revpos',
].join(', ');

/** How many times a reader re-reads the row when a replace removed the blob it was about to open. */
const OPEN_ATTEMPTS = 3;

/**
 * Binaries: streamed uploads, downloads, replaces and deletes. The blob is always written first and
 * the row inserted or switched after it in one short transaction; any failure deletes the new blob,
 * and an old blob is removed only after the commit that stopped referencing it.
 */
@Injectable()
export class BinariesService {
  private readonly logger = new Logger(BinariesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly inventory: InventoryService,
    private readonly owners: ManagedObjectOwners,
    private readonly quotas: TenantStorageService,
    @Inject(INVENTORY_BINARIES_OPTIONS) private readonly options: InventoryBinariesModuleOptions,
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  get maxBinarySize(): number {
    return this.options.maxBinarySize;
  }

  /** Stores `content` and inserts its managed object; on any failure no row and no blob remain. */
  async create(
    principal: Principal,
    meta: BinaryMeta,
    content: Readable,
    options: CreateBinaryOptions = {},
  ): Promise<ManagedObjectEntity> {
    const stored = await this.storeContent(principal, content, options.maxSize);
    return this.commitNew(principal, meta, stored, options.beforeCommit);
  }

  /**
   * Streams `content` through the meter into a fresh `<tenant>/<uuid>` key. Rejects with
   * `inventory/Payload Too Large` as soon as `maxSize` is passed, and with 507 when the tenant's
   * quota (reserved before reading, extended while reading) or the store runs out of room; a failed
   * write leaves nothing.
   */
  async storeContent(
    principal: Principal,
    content: Readable,
    maxSize = this.maxBinarySize,
    /** The size the client declared (Content-Length): quota is reserved for it up front. */
    declared?: number,
    /** Bytes the commit will free (a replace's old content): only the growth needs quota. */
    credit = 0,
  ): Promise<StoredContent> {
    const key = `${principal.tenantId}/${randomUUID()}`;
    const reservation = this.quotas.reserve(principal.tenantId, { declared, credit });
    const meter = createStreamMeter({ limit: maxSize, admit: reservation.admit });
    feedInto(content, meter);
    try {
      await reservation.ready;
      await this.storage.write(key, meter);
    } catch (error) {
      meter.destroy();
      await this.quotas.release(reservation);
      if (error instanceof StreamTooLargeError || meter.bytes > maxSize) throw tooLarge(maxSize);
      if (error instanceof StorageFullError) throw insufficientStorage();
      throw error;
    }
    const { bytes, md5, sha256 } = meter.result;
    this.metrics?.bytesUploaded(bytes);
    return { key, length: bytes, md5, sha256, reservation };
  }

  /** Inserts the row for stored content in one transaction; a refusal or failure deletes the blob. */
  async commitNew(
    principal: Principal,
    meta: BinaryMeta,
    stored: StoredContent,
    beforeCommit?: CreateBinaryOptions['beforeCommit'],
  ): Promise<ManagedObjectEntity> {
    const now = new Date();
    const row = this.dataSource.manager.create(ManagedObjectEntity, {
      tenantId: principal.tenantId,
      owner: principal.userName,
      name: meta.name ?? null,
      type: meta.type ?? null,
      fragments: meta.fragments ?? {},
      creationTime: now,
      lastUpdated: now,
      storageKey: stored.key,
      length: stored.length,
      contentType: chooseContentType(meta.contentType, meta.type),
      md5: stored.md5,
      sha256: stored.sha256,
      revpos: 1,
    });
    try {
      assertStorableNameAndType(meta);
      // Without a hook or a quota, one INSERT is its own transaction (one round trip), and it
      // inserts only while the tenant still has no quota.
      if (!beforeCommit && !stored.reservation?.limited) {
        const saved = await this.insert(this.dataSource.manager, row, {
          unlessQuota: stored.reservation !== undefined,
        });
        if (saved) return saved;
      }
      return await this.dataSource.transaction(async (manager) => {
        const saved = await this.insertCounted(manager, row, stored);
        if (!beforeCommit) return saved;
        await beforeCommit(manager, saved);
        return saved;
      });
    } catch (error) {
      await this.discard(stored);
      throw error;
    }
  }

  /** Inside the commit's transaction: the row, its length counted against the tenant's quota. */
  private async insertCounted(
    manager: EntityManager,
    row: ManagedObjectEntity,
    stored: StoredContent,
  ): Promise<ManagedObjectEntity> {
    if (!stored.reservation?.limited) {
      const saved = await this.insert(manager, row, { unlessQuota: stored.reservation !== undefined });
      if (saved) return saved;
      // The tenant got a quota while the content streamed (set by another process): it counts.
      this.quotas.quotaAppeared(stored.reservation);
    }
    await this.quotas.settle(manager, stored.reservation, stored.length);
    return (await this.insert(manager, row, { unlessQuota: false }))!;
  }

  /**
   * One INSERT statement, written out (TypeORM's query builder costs more CPU than the round trip
   * for a small upload). `unlessQuota`: inserts nothing (`undefined`) when the tenant has a quota of
   * its own, which an upload taken as unlimited must not pass unchecked (an unlimited reservation
   * exists only where no default quota is set).
   */
  private async insert(
    manager: EntityManager,
    row: ManagedObjectEntity,
    { unlessQuota }: { unlessQuota: boolean },
  ): Promise<ManagedObjectEntity | undefined> {
    const guard = unlessQuota
      ? ' WHERE NOT EXISTS (SELECT 1 FROM tenant_storage WHERE tenant_id = $1 AND quota_bytes IS NOT NULL)'
      : '';
    const inserted = await manager.query<Array<{ id: string }>>(
      `INSERT INTO managed_objects (${INSERT_COLUMNS})
       SELECT $1::varchar, $2::varchar, $3::text, $4::text, $5::jsonb, $6::timestamptz, $7::timestamptz,
              $8::varchar, $9::bigint, $10::text, $11::char(32), $12::char(64), $13::integer${guard}
       RETURNING id`,
      [
        row.tenantId,
        row.owner,
        row.name,
        row.type,
        JSON.stringify(row.fragments),
        row.creationTime,
        row.lastUpdated,
        row.storageKey,
        row.length,
        row.contentType,
        row.md5,
        row.sha256,
        row.revpos,
      ],
    );
    if (inserted.length === 0) return undefined;
    row.id = String(inserted[0].id);
    return row;
  }

  /** Deletes stored content that will not be committed, and gives back its quota reservation. */
  async discard(stored: Pick<StoredContent, 'key' | 'reservation'>): Promise<void> {
    await this.quotas.release(stored.reservation);
    await this.inventory.deleteBlobQuietly(stored.key);
  }

  /** A binary in the caller's tenant that the caller may read (404 / 403 otherwise). */
  async findOne(principal: Principal, id: string): Promise<ManagedObjectEntity> {
    const object = await this.inventory.findInTenant(this.dataSource.manager, principal, id);
    if (object.storageKey === null) throw notFound(id);
    assertCanRead(principal, object);
    return object;
  }

  /** The binary's bytes (or one range of them) with the row they belong to. */
  async openContent(
    principal: Principal,
    id: string,
    range?: ByteRange,
  ): Promise<{ object: ManagedObjectEntity; stream: Readable }> {
    for (let attempt = 1; ; attempt++) {
      const object = await this.findOne(principal, id);
      try {
        return { object, stream: await this.storage.read(object.storageKey!, range) };
      } catch (error) {
        // A replace or delete committed between reading the row and opening its blob: read again.
        if (error instanceof StorageNotFoundError && attempt < OPEN_ATTEMPTS) {
          this.logger.debug(`Blob of ${id} went away while opening it (replaced?); reading the row again`);
          continue;
        }
        if (error instanceof StorageNotFoundError) throw notFound(id);
        if (error instanceof StorageRangeError) throw new RangeNotSatisfiableError(object.length ?? 0);
        throw error;
      }
    }
  }

  /**
   * The binary as `sendDownload` sends it, described by the current row. If a replace removes the
   * blob before it is opened, the sender describes it again: the reader gets the old or the new
   * content, never a mix. Uploaded HTML or SVG must not run in the API's origin, hence the
   * sandboxing CSP.
   */
  async download(principal: Principal, id: string): Promise<DownloadContent> {
    const object = await this.findOne(principal, id);
    return {
      length: object.length ?? 0,
      etag: binaryEtag(object),
      lastModified: object.lastUpdated,
      contentType: object.contentType ?? 'application/octet-stream',
      attachmentName: object.name || object.id,
      headers: { 'Content-Security-Policy': 'sandbox' },
      open: async (range) => {
        try {
          return this.countDownloaded(await this.storage.read(object.storageKey!, range));
        } catch (error) {
          if (error instanceof StorageNotFoundError) throw new DownloadGoneError(`The content of ${id}`);
          throw error;
        }
      },
      reload: () => this.download(principal, id),
    };
  }

  /**
   * Replaces the content: new blob first, then the row switches to it in one transaction (checking
   * `If-Match` against the locked row), then the old blob goes. Name, type and fragments stay.
   * Counted with the uploads by the same outcomes.
   */
  async replace(
    principal: Principal,
    id: string,
    content: Readable,
    options: ReplaceOptions = {},
  ): Promise<ManagedObjectEntity> {
    try {
      const replaced = await this.replaceContent(principal, id, content, options);
      this.metrics?.uploadFinished('created');
      return replaced;
    } catch (error) {
      this.metrics?.uploadFinished(uploadOutcomeOf(error, content));
      throw error;
    }
  }

  private async replaceContent(
    principal: Principal,
    id: string,
    content: Readable,
    options: ReplaceOptions,
  ): Promise<ManagedObjectEntity> {
    // Cheap checks before reading a byte: existence, rights, precondition.
    const current = await this.findModifiable(this.dataSource.manager, principal, id);
    this.owners.assertChangeAllowed(current, 'replace');
    assertPrecondition(current, options.ifMatch);
    const stored = await this.storeContent(
      principal,
      content,
      options.maxSize,
      options.declaredLength,
      current.length ?? 0,
    );
    let previousKey: string | null = null;
    let updated: ManagedObjectEntity;
    try {
      updated = await this.dataSource.transaction(async (manager) => {
        const object = await this.findModifiable(manager, principal, id, true);
        assertPrecondition(object, options.ifMatch);
        await this.quotas.settle(manager, stored.reservation, stored.length - (object.length ?? 0));
        previousKey = object.storageKey;
        const changes = {
          storageKey: stored.key,
          length: stored.length,
          md5: stored.md5,
          sha256: stored.sha256,
          contentType: chooseContentType(options.contentType),
          revpos: (object.revpos ?? 0) + 1,
          lastUpdated: new Date(),
        };
        await manager.update(ManagedObjectEntity, { id: object.id, tenantId: object.tenantId }, changes);
        return Object.assign(object, changes);
      });
    } catch (error) {
      await this.discard(stored);
      throw error;
    }
    if (previousKey !== null) await this.inventory.deleteBlobQuietly(previousKey);
    return updated;
  }

  /** Deletes the row, then the blob. */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.inventory.remove(principal, id, { binaryOnly: true });
  }

  /** One page of the tenant's binaries that match `filter` (see `InventoryService.list`). */
  list(principal: Principal, filter: ManagedObjectListFilter): Promise<Page<RepresentedManagedObject>> {
    return this.inventory.list(principal, filter, { binariesOnly: true });
  }

  /**
   * Counts the bytes a download really sends, without a stream of its own in the path (an extra
   * hop costs throughput): a `data` listener joins once the consumer has started the flow.
   */
  private countDownloaded(stream: Readable): Readable {
    const metrics = this.metrics;
    if (!metrics) return stream;
    stream.once('resume', () => stream.on('data', (chunk: Buffer) => metrics.bytesDownloaded(chunk.length)));
    return stream;
  }

  private async findModifiable(
    manager: EntityManager,
    principal: Principal,
    id: string,
    lock = false,
  ): Promise<ManagedObjectEntity> {
    const object = await this.inventory.findInTenant(manager, principal, id, lock);
    if (object.storageKey === null) throw notFound(id);
    assertCanModify(principal, object);
    return object;
  }
}

function assertPrecondition(object: ManagedObjectEntity, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && !etagMatches(ifMatch, binaryEtag(object), false))
    throw CumulocityError.preconditionFailed(
      'inventory',
      'The binary has changed (If-Match does not match its ETag)',
    );
}

/** The store itself is full (not the tenant's quota): the operator must make room. */
function insufficientStorage(): CumulocityError {
  return new CumulocityError(
    507,
    'storage/Insufficient Storage',
    'The server has no storage space left for this binary; try again later',
  );
}

/** Answered at once; the exception filter then drains the rest of the body for a bounded time and closes. */
export function tooLarge(limit: number): CumulocityError {
  return CumulocityError.tooLarge('inventory', `The binary exceeds the limit of ${limit} bytes`);
}
