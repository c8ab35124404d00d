import AdmZip from 'adm-zip';
import {
  ApplicationArchivesService,
  ApplicationsService,
  ApplicationType,
  validateArchive,
  type ApplicationEntity,
} from '@depot/applications';
import { CumulocityError, DepotMetrics, type Principal } from '@depot/common';
import type { ManagedObjectEntity } from '@depot/inventory';
import { STORAGE_DRIVER, type StorageDriver } from '@depot/storage';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  applyArchiveChange,
  carriedOverEntries,
  describeArchiveChange,
  type ArchiveChange,
} from './archive-change';
import { listPlugins, type PluginRepresentation } from './list-plugins';
import { writeZip } from './zip/write-zip';
import { readZipEntries } from './zip/zip-entry';

/** Fragment on every archive this service builds: which version it was built from, and how. */
export const ARCHIVE_ORIGIN_FRAGMENT = 'depot_ArchiveOrigin';

/**
 * The application-versioning service: every plugin or file change reads the active archive, builds
 * a new one from it (untouched entries copied without re-compressing), stores it and makes it the
 * active version in the transaction that records it. Changes of one application are serialised
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
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  /** The plugins (top-level directories) of the active version; none without one. */
  async listPlugins(principal: Principal, rawId: string): Promise<PluginRepresentation[]> {
    const application = await this.applications.findOne(principal, rawId);
    assertHosted(application);
    const active = await this.readActiveArchive(application);
    if (!active) return [];
    return listPlugins(new AdmZip(active.zip), (pluginName) =>
      this.logger.warn(`Application ${application.id}: unreadable ${pluginName}/cumulocity.json`),
    );
  }

  /**
   * Applies `change` to the active version and returns the new active archive. Input is validated
   * before waiting for the lock (400/422 leave everything as it was); the result is validated by the
   * applications module's archive validator before it is stored, inflating only the entries that are
   * not byte-identical copies of the active version's (which was validated when it was stored).
   */
  async applyChange(
    principal: Principal,
    rawId: string,
    change: ArchiveChange,
  ): Promise<ManagedObjectEntity> {
    const application = await this.applications.findOne(principal, rawId);
    assertHosted(application);
    if (change.operation === 'addPlugin' || change.operation === 'replacePlugin')
      await validateArchive(change.pluginZip, this.archives.limits);

    return this.applications.withApplicationLock(principal, application.id, async (locked) => {
      const started = Date.now();
      const active = await this.readActiveArchive(locked);
      const read = Date.now();
      const base = active ? readZipEntries(new AdmZip(active.zip)) : [];
      const entries = applyArchiveChange(base, change);
      const zip = Buffer.concat(writeZip(entries).chunks);
      const built = Date.now();
      const archive = await this.archives.storeAndActivate(principal, locked, zip, {
        fileName: active?.archive.name ?? undefined,
        // Only new or changed entries are inflated again; every name is still checked.
        provenEntries: carriedOverEntries(base, entries),
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
          `(read ${read - started} ms, build ${built - read} ms, validate+store+activate ${Date.now() - built} ms)`,
      );
      this.metrics?.archiveChanged(change.operation);
      return archive;
    });
  }

  /** The active archive's row and bytes, or nothing for an application without an active version. */
  private async readActiveArchive(
    application: ApplicationEntity,
  ): Promise<{ archive: ManagedObjectEntity; zip: Buffer } | undefined> {
    if (application.activeVersionId === null) return undefined;
    const archive = await this.applications.findArchive(application, application.activeVersionId);
    // Archives are immutable and the active one is never pruned, so its key stays readable.
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.read(archive.storageKey!)) chunks.push(chunk as Buffer);
    return { archive, zip: Buffer.concat(chunks) };
  }
}

function assertHosted(application: ApplicationEntity): void {
  if (application.type !== ApplicationType.Hosted)
    throw CumulocityError.invalidData(
      'applications',
      `Only HOSTED applications have plugins and files (this one is ${application.type})`,
    );
}
