import {
  ApplicationArchivesService,
  ApplicationsService,
  ApplicationType,
  type ApplicationEntity,
} from '@depot/applications';
import {
  ArchiveWorkLimiter,
  readArchiveDirectory,
  validateEntries,
  writeZip,
  type ArchiveDirectory,
  type StoredArchiveContent,
} from '@depot/archive';
import { CumulocityError, DepotMetrics, type Principal } from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import { STORAGE_DRIVER, type StorageDriver } from '@depot/storage';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Readable } from 'node:stream';
import {
  applyArchiveChange,
  describeArchiveChange,
  prepareArchiveChange,
  provenEntries,
  type ArchiveChange,
} from './archive-change';
import { listPlugins, type PluginRepresentation } from './list-plugins';

/** Fragment on every archive this service builds: which version it was built from, and how. */
export const ARCHIVE_ORIGIN_FRAGMENT = 'depot_ArchiveOrigin';

/**
 * The application-versioning service: every plugin or file change reads the active archive's central
 * directory, builds a new archive from it, stores it and makes it the active version in the
 * transaction that records it. The new archive is streamed into storage as it is written: kept
 * entries' compressed bytes are copied by ranged reads straight from the stored archive (never
 * inflated, re-compressed or held whole in memory), new ones come from the request. A change takes a
 * slot of the process's {@link ArchiveWorkLimiter} (it holds the request's plugin or files in memory
 * and inflates them). Changes of one application are serialised
 * through the applications module's PostgreSQL lock, so concurrent changes, also from several server
 * processes, each build on the one before and none is lost.
 */
@Injectable()
export class ApplicationVersioningService {
  private readonly logger = new Logger(ApplicationVersioningService.name);

  constructor(
    private readonly applications: ApplicationsService,
    private readonly archives: ApplicationArchivesService,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly archiveWork: ArchiveWorkLimiter,
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  /**
   * The plugins (top-level directories) of the active version; none without one. Reads the archive's
   * central directory and the plugins' manifests in byte ranges: what a listing costs depends on the
   * number of entries, not on the archive's size, so it needs no slot of the work limiter.
   */
  async listPlugins(principal: Principal, rawId: string): Promise<PluginRepresentation[]> {
    const application = await this.applications.findOne(principal, rawId);
    assertHosted(application);
    if (application.activeVersionId === null) return [];
    const { directory } = await this.openArchive(application, application.activeVersionId);
    return listPlugins(directory, (pluginName) =>
      this.logger.warn(`Application ${application.id}: unreadable ${pluginName}/cumulocity.json`),
    );
  }

  /**
   * Applies `change` to the active version and returns the new active archive. Input is validated
   * before waiting for the lock (400/422 leave everything as it was); the resulting entries are
   * validated before they are streamed into storage, inflating only those that are not byte-identical
   * copies of the active version's (which was validated when it was stored).
   */
  async applyChange(
    principal: Principal,
    rawId: string,
    change: ArchiveChange,
  ): Promise<ManagedObjectEntity> {
    const application = await this.applications.findOne(principal, rawId);
    assertHosted(application);
    const limits = this.archives.limits;
    // A slot for the plugin zip's validation, given back before waiting for the lock (never nested).
    const prepared = await this.archiveWork.run(() => prepareArchiveChange(change, limits));

    return this.applications.withApplicationLock(principal, application.id, (locked) =>
      this.archiveWork.run(async () => {
        const started = Date.now();
        const active =
          locked.activeVersionId === null
            ? undefined
            : await this.openArchive(locked, locked.activeVersionId);
        const read = Date.now();
        const entries = applyArchiveChange(active?.directory.entries ?? [], prepared);
        // Only what was not validated before (and the root manifest, whose content is needed) is
        // inflated; every name and header is still checked.
        const validated = await validateEntries(entries, limits, {
          provenEntries: provenEntries(entries, prepared),
          readStored: (entry) => active!.directory.readCompressed(entry),
        });
        const built = Date.now();
        const content = { validated, content: () => writeZip(entries, active?.content) };
        const archive = await this.archives.storeAndActivate(principal, locked, content, {
          fileName: active?.archive.name ?? undefined,
          expectedActiveVersionId: locked.activeVersionId,
          fragments: {
            [ARCHIVE_ORIGIN_FRAGMENT]: {
              baseVersionId: active?.archive.id ?? null,
              ...describeArchiveChange(change),
            },
          },
        });
        this.logger.log(
          `Application ${locked.id}: ${change.operation} made archive ${archive.id} from ${active?.archive.id ?? 'nothing'} ` +
            `(read directory ${read - started} ms, build+validate ${built - read} ms, store+activate ${Date.now() - built} ms)`,
        );
        this.metrics?.archiveChanged(change.operation);
        return archive;
      }),
    );
  }

  /**
   * An archive's row, its central directory (read by byte ranges) and ranged access to its entries'
   * bytes. Archives are immutable and the active one is never pruned, so its key stays readable.
   */
  private async openArchive(
    application: ApplicationEntity,
    archiveId: string,
  ): Promise<{ archive: ManagedObjectEntity; directory: ArchiveDirectory; content: StoredArchiveContent }> {
    const archive = await this.applications.findArchive(application, archiveId);
    const key = archive.storageKey!;
    const length = archive.length ?? (await this.storage.stat(key)).length;
    const directory = await readArchiveDirectory({
      length,
      read: async (start, end) => bufferOf(await this.storage.read(key, { start, end })),
    });
    const content: StoredArchiveContent = {
      contentEnd: directory.contentEnd,
      open: (start, end) => this.storage.read(key, { start, end }),
    };
    return { archive, directory, content };
  }
}

/** The bytes of a range of a stored archive (its central directory, a small entry). */
async function bufferOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function assertHosted(application: ApplicationEntity): void {
  if (application.type !== ApplicationType.Hosted)
    throw CumulocityError.invalidData(
      'applications',
      `Only HOSTED applications have plugins and files (this one is ${application.type})`,
    );
}
