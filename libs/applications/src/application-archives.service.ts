import { CumulocityError, DepotMetrics, Role, type DownloadContent, type Principal } from '@depot/common';
import { ManagedObjectEntity, type Fragments } from '@depot/inventory';
import { BinariesService } from '@depot/inventory-binaries';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApplicationEntity, ApplicationType } from './application.entity';
import { applicationSelf } from './application.representation';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from './applications.options';
import { ApplicationsService, applicationNotFound } from './applications.service';
import { ARCHIVE_MANIFEST_FRAGMENT, archiveTypeOf } from './archive-type';
import { ApplicationVersionEntity } from './versions/application-version.entity';
import {
  InvalidArchiveError,
  readArchive,
  validateArchive,
  type ArchiveLimits,
  type ValidatedArchive,
} from '@depot/archive';

/** An entry of `GET .../binaries` (`{"attachments":[...]}`). */
export interface ArchiveAttachment {
  id: string;
  name: string;
  length: number;
  contentType: string;
  created: string;
  downloadUrl: string;
}

/** A validated zip, ready to be streamed into storage. */
export interface ArchiveToStore {
  /** What `validateArchive` (or `validateEntries`) found in exactly the bytes `content` streams. */
  validated: ValidatedArchive;
  /** The zip's bytes, opened once, when storing starts. */
  content: () => Readable;
}

export interface StoreArchiveOptions {
  /** Name of the archive binary (default `<contextPath>.zip`). */
  fileName?: string;
  /** Fragments recorded on the new archive's managed object (e.g. the version it was built from). */
  fragments?: Fragments;
  /**
   * The active version the new archive was built from. The switch commits only while it is still the
   * active one (409 otherwise): a guard, should the application lock ever be lost, against building on
   * a version that another change has replaced meanwhile.
   */
  expectedActiveVersionId?: string | null;
  /** `false`: store the archive without making it the active one (a version without `latest`). */
  activate?: boolean;
  /** A package's archive (a version) needs no `index.html`, whatever its manifest says. */
  isPackage?: boolean;
  /** Runs in the transaction that records the archive (e.g. records the version it belongs to). */
  beforeCommit?: (manager: EntityManager, archive: ManagedObjectEntity) => Promise<void>;
}

const ZIP_CONTENT_TYPE = 'application/zip';
const CHUNK_SIZE = 1024 * 1024;

/**
 * The archives (versions) of hosted applications: validated zips stored as binaries of type
 * `c8y_applications_storage_<appId>`, one of which is active.
 */
@Injectable()
export class ApplicationArchivesService {
  private readonly logger = new Logger(ApplicationArchivesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly binaries: BinariesService,
    @Inject(APPLICATIONS_OPTIONS) private readonly options: ApplicationsModuleOptions,
    @Optional() @Inject(DepotMetrics) private readonly metrics?: DepotMetrics,
  ) {}

  /** Limits every archive and plugin zip is validated against. */
  get limits(): ArchiveLimits {
    return { maxEntries: this.options.maxArchiveEntries, maxInflatedSize: this.options.maxArchiveInflated };
  }

  /** Validates `zip` (422, nothing stored, when it is refused), stores it and makes it the active version. */
  async upload(
    principal: Principal,
    rawId: string,
    zip: Buffer,
    fileName?: string,
  ): Promise<ManagedObjectEntity> {
    // Cheap 404 and the expensive validation before waiting for the lock.
    const application = await this.applications.findOne(principal, rawId);
    assertHosted(application);
    const validated = await validateArchive(readArchive(zip, this.limits.maxEntries), this.limits);
    const archive = await this.applications.withApplicationLock(principal, application.id, (locked) =>
      this.storeAndActivate(principal, locked, { validated, content: () => chunksOf(zip) }, { fileName }),
    );
    this.metrics?.archiveChanged('upload');
    return archive;
  }

  /**
   * Streams a validated zip into storage as a new archive of `application` and, in the same
   * transaction that records it, makes it the active version and copies its root `cumulocity.json`
   * into the manifest. Then drops inactive archives beyond the retention count. A HOSTED archive needs
   * `index.html` at its root unless its manifest says it is a package.
   * Call it inside {@link ApplicationsService.withApplicationLock} for the same application.
   * On any failure nothing is stored and the active version is unchanged.
   */
  async storeAndActivate(
    principal: Principal,
    application: ApplicationEntity,
    zip: ArchiveToStore,
    options: StoreArchiveOptions = {},
  ): Promise<ManagedObjectEntity> {
    const { validated } = zip;
    const activate = options.activate ?? true;
    assertServable(application, validated, options.isPackage === true);
    const archive = await this.binaries.create(
      archivePrincipal(principal),
      {
        name: options.fileName || `${application.contextPath ?? application.name}.zip`,
        type: archiveTypeOf(application.id),
        contentType: ZIP_CONTENT_TYPE,
        // The manifest travels with the archive, so activating the archive later restores it.
        fragments: {
          ...options.fragments,
          ...(validated.manifest ? { [ARCHIVE_MANIFEST_FRAGMENT]: validated.manifest } : {}),
        },
      },
      zip.content(),
      {
        maxSize: this.options.maxArchiveSize,
        beforeCommit: async (manager, created) => {
          await options.beforeCommit?.(manager, created);
          if (!activate) return;
          const changes: Partial<ApplicationEntity> = {
            activeVersionId: created.id,
            lastUpdated: new Date(),
          };
          if (validated.manifest) changes.manifest = validated.manifest;
          // TypeORM's deep-partial type cannot express the open JSON manifest; the value is a plain one.
          const expected = options.expectedActiveVersionId;
          const result = await manager.update(
            ApplicationEntity,
            {
              id: application.id,
              tenantId: application.tenantId,
              ...(expected === undefined ? {} : { activeVersionId: expected ?? IsNull() }),
            },
            changes as never,
          );
          if (result.affected !== 1)
            throw expected === undefined
              ? applicationNotFound(application.id)
              : CumulocityError.conflict(
                  'applications',
                  `The active version of application ${application.id} changed meanwhile; try again`,
                );
        },
      },
    );
    this.logger.log(
      `Application ${application.id} of ${application.tenantId}: archive ${archive.id} ${activate ? 'is active' : 'stored'}`,
    );
    await this.pruneArchives(application, activate ? archive.id : application.activeVersionId);
    return archive;
  }

  /** The application's archives, oldest first. */
  async list(
    principal: Principal,
    rawId: string,
    baseUrl: string,
  ): Promise<{ attachments: ArchiveAttachment[] }> {
    const application = await this.applications.findOne(principal, rawId);
    const archives = await this.applications.archivesOf(this.dataSource.manager, application);
    return {
      attachments: archives.map((archive) => ({
        id: archive.id,
        name: archive.name ?? `${archive.id}.zip`,
        length: archive.length ?? 0,
        contentType: archive.contentType ?? ZIP_CONTENT_TYPE,
        created: archive.creationTime.toISOString(),
        downloadUrl: `${applicationSelf(application, baseUrl)}/binaries/${archive.id}`,
      })),
    };
  }

  /** The archive `archiveId` of the application (404 for anything else). */
  async findArchive(principal: Principal, rawId: string, archiveId: string): Promise<ManagedObjectEntity> {
    const application = await this.applications.findOne(principal, rawId);
    return this.applications.findArchive(application, archiveId);
  }

  /**
   * An archive as `sendDownload` sends it. The application role was checked by the caller; the
   * archive is read on the application service's behalf, whatever the caller's inventory roles.
   */
  download(principal: Principal, archive: ManagedObjectEntity): Promise<DownloadContent> {
    return this.binaries.download(archivePrincipal(principal), archive.id);
  }

  /** The whole archive `archiveId` of `application` (bounded by MAX_ARCHIVE_SIZE), e.g. to copy it. */
  async readArchiveBytes(
    principal: Principal,
    application: ApplicationEntity,
    archiveId: string,
  ): Promise<Buffer> {
    const archive = await this.applications.findArchive(application, archiveId);
    const { stream } = await this.binaries.openContent(archivePrincipal(principal), archive.id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Deletes an inactive archive (409 for the active one). */
  async remove(principal: Principal, rawId: string, archiveId: string): Promise<void> {
    await this.applications.withApplicationLock(principal, rawId, async (application) => {
      const archive = await this.applications.findArchive(application, archiveId);
      if (archive.id === application.activeVersionId)
        throw CumulocityError.conflict(
          'applications',
          `Archive ${archive.id} is the active version of application ${application.id}; activate another first`,
        );
      const [version] = await this.versionBinaries(this.dataSource.manager, [archive.id]);
      if (version)
        throw CumulocityError.conflict(
          'applications',
          `Archive ${archive.id} is version ${version.version} of application ${application.id}; delete it through /versions`,
        );
      await this.applications.deleteArchives(application, [archive]);
    });
  }

  /** The versions among `binaryIds` (archives of one application). */
  private versionBinaries(manager: EntityManager, binaryIds: string[]): Promise<ApplicationVersionEntity[]> {
    if (binaryIds.length === 0) return Promise.resolve([]);
    return manager.find(ApplicationVersionEntity, { where: { binaryId: In(binaryIds) } });
  }

  /**
   * Keeps the newest `archiveRetention` archives that are not versions, the active one and every
   * version's archive (versions go only through DELETE /versions); a failure is only logged.
   */
  private async pruneArchives(application: ApplicationEntity, activeId: string | null): Promise<void> {
    const all = await this.applications.archivesOf(this.dataSource.manager, application);
    const versions = new Set(
      (
        await this.versionBinaries(
          this.dataSource.manager,
          all.map((archive) => archive.id),
        )
      ).map((version) => version.binaryId),
    );
    const archives = all.filter((archive) => !versions.has(archive.id));
    const surplus = archives
      .slice(0, Math.max(0, archives.length - this.options.archiveRetention))
      .filter((archive) => archive.id !== activeId);
    try {
      await this.applications.deleteArchives(application, surplus);
    } catch (error) {
      this.logger.warn(`Could not prune archives of application ${application.id}: ${String(error)}`);
    }
  }
}

/** Archives belong to the application, not to the caller's inventory rights: act as inventory admin. */
function archivePrincipal(principal: Principal): Principal {
  return { tenantId: principal.tenantId, userName: principal.userName, roles: [Role.InventoryAdmin] };
}

export function assertHosted(application: ApplicationEntity): void {
  if (application.type !== ApplicationType.Hosted)
    throw CumulocityError.invalidData(
      'applications',
      `Only HOSTED applications have archives (this one is ${application.type})`,
    );
}

/** A hosted archive must be servable: `index.html` at the root, unless it is a package (plugin, blueprint). */
function assertServable(
  application: ApplicationEntity,
  validated: ValidatedArchive,
  asPackage: boolean,
): void {
  assertHosted(application);
  const manifest = validated.manifest;
  const isPackage =
    asPackage ||
    (manifest !== undefined && (manifest.isPackage === true || typeof manifest.package === 'string'));
  if (isPackage) return;
  if (!validated.entries.some((entry) => !entry.isDirectory && entry.name === 'index.html'))
    throw new InvalidArchiveError(
      'missing index.html',
      'a web application archive needs index.html at its root',
    );
}

/** A buffer as a stream of 1 MiB chunks (what storage writes). */
export function chunksOf(buffer: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < buffer.length; offset += CHUNK_SIZE)
        yield buffer.subarray(offset, offset + CHUNK_SIZE);
    })(),
  );
}
