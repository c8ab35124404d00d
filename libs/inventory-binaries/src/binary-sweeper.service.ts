import { DepotMetrics } from '@depot/common';
import { ManagedObjectEntity } from '@depot/inventory';
import { STORAGE_DRIVER, type StorageDriver, type StoredObjectInfo } from '@depot/storage';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import {
  DEFAULT_SWEEP_GRACE_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  INVENTORY_BINARIES_OPTIONS,
  type InventoryBinariesModuleOptions,
} from './inventory-binaries.options';

/** Keys this module writes: `<tenant>/<uuid>`. Anything else in the store is not ours to remove. */
const BINARY_KEY = /^[^/]+\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BATCH = 500;

export interface SweepResult {
  examined: number;
  deleted: number;
}

/**
 * Removes what a crash or a failed clean-up left behind: blobs no row references and temp files of
 * interrupted writes, once they are older than the grace period (so an upload that is about to
 * commit is never touched). Runs at start-up and then periodically; deletes are idempotent, so
 * several server processes may sweep at once.
 */
@Injectable()
export class BinarySweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BinarySweeperService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(INVENTORY_BINARIES_OPTIONS) private readonly options: InventoryBinariesModuleOptions,
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.sweeper?.enabled === false) return;
    void this.sweepSafely();
    const interval = this.options.sweeper?.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.timer = setInterval(() => void this.sweepSafely(), interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the store; a pass already running is joined rather than doubled. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepSafely(): Promise<void> {
    try {
      const { examined, deleted } = await this.sweep();
      if (deleted > 0)
        this.logger.log(`Swept ${deleted} unreferenced blob(s) or temp file(s) of ${examined}`);
    } catch (error) {
      this.logger.error(`Sweep failed: ${String(error)}`);
    }
  }

  private async sweepOnce(): Promise<SweepResult> {
    const cutoff = Date.now() - (this.options.sweeper?.graceMs ?? DEFAULT_SWEEP_GRACE_MS);
    const result: SweepResult = { examined: 0, deleted: 0 };
    let batch: StoredObjectInfo[] = [];
    for await (const item of this.storage.list('')) {
      result.examined++;
      if (item.modified.getTime() > cutoff) continue;
      if (isTemporary(item)) {
        await this.storage.delete(item.key);
        result.deleted++;
      } else if (BINARY_KEY.test(item.key)) {
        batch.push(item);
        if (batch.length >= BATCH) {
          result.deleted += await this.deleteUnreferenced(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) result.deleted += await this.deleteUnreferenced(batch);
    this.metrics?.sweeperDeleted(result.deleted);
    return result;
  }

  private async deleteUnreferenced(items: StoredObjectInfo[]): Promise<number> {
    const referenced = await this.dataSource.manager.find(ManagedObjectEntity, {
      select: { id: true, storageKey: true },
      where: { storageKey: In(items.map((item) => item.key)) },
    });
    const keep = new Set(referenced.map((row) => row.storageKey));
    let deleted = 0;
    for (const item of items) {
      if (keep.has(item.key)) continue;
      await this.storage.delete(item.key);
      deleted++;
    }
    return deleted;
  }
}

function isTemporary(item: StoredObjectInfo): boolean {
  return (
    (item as StoredObjectInfo & { temporary?: boolean }).temporary === true || item.key.startsWith('.tmp/')
  );
}
