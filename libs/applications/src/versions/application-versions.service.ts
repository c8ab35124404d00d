import { readArchive, validateArchive, type ValidatedArchive } from '@depot/archive';
import { CumulocityError, uniqueViolationOf, type Principal } from '@depot/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ApplicationChangeFeed } from '../application-change-feed';
import { ApplicationEntity, ApplicationType } from '../application.entity';
import { ApplicationArchivesService, chunksOf } from '../application-archives.service';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from '../applications.options';
import { ApplicationsService } from '../applications.service';
import { ARCHIVE_MANIFEST_FRAGMENT } from '../archive-type';
import { ApplicationVersionEntity } from './application-version.entity';
import {
  assertNoTagConflict,
  LATEST_TAG,
  parseTags,
  parseVersionName,
  type VersionSelector,
} from './version-rules';

/** Versions per application unless configured (`APPLICATION_VERSIONS_LIMIT`); Cumulocity's default. */
export const DEFAULT_VERSIONS_LIMIT = 20;

/** What a POST /versions asks for: the `applicationVersion` part, parsed JSON. */
export interface NewVersionRequest {
  version?: unknown;
  tags?: unknown;
}

/** Which archive a `/apps/{contextPath}[@x]/` request is served from, and how it was chosen. */
export interface ServedArchive {
  binaryId: string;
  /** `version`: an exact version (its bytes never change while it exists); `tag` and `active` move. */
  kind: 'active' | 'version' | 'tag';
  /** True for an exact version only: the one case a long, immutable cache lifetime is safe. */
  pinned: boolean;
}

function versionNotFound(what: string): CumulocityError {
  return CumulocityError.notFound(
    'applications',
    `Cannot find application version for this application${what}`,
  );
}

function describe(selector: VersionSelector): string {
  return 'version' in selector ? ` (version ${selector.version})` : ` (tag ${selector.tag})`;
}

/**
 * Versions of HOSTED applications (packages): each is an archive with a version string and tags.
 * Every change runs under the application's advisory lock, so the tag rules (unique across versions,
 * never equal to another version string, `latest` moves) and the versions limit hold across processes;
 * the database's unique index on (application, version) is the last line.
 */
@Injectable()
export class ApplicationVersionsService {
  private readonly logger = new Logger(ApplicationVersionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly archives: ApplicationArchivesService,
    @Inject(APPLICATIONS_OPTIONS) private readonly options: ApplicationsModuleOptions,
    private readonly changes: ApplicationChangeFeed,
  ) {}

  /** Most versions an application may hold (`APPLICATION_VERSIONS_LIMIT`). */
  get limit(): number {
    return this.options.versionsLimit ?? DEFAULT_VERSIONS_LIMIT;
  }

  /** All versions, oldest first. An application without versions answers 404, as Cumulocity does. */
  async list(principal: Principal, rawId: string): Promise<ApplicationVersionEntity[]> {
    const application = await this.applications.findOne(principal, rawId);
    assertVersioned(application);
    const versions = application.versions ?? [];
    if (versions.length === 0) throw versionNotFound('');
    return versions;
  }

  /** One version by version string or tag (404 when none matches). */
  async findOne(
    principal: Principal,
    rawId: string,
    selector: VersionSelector,
  ): Promise<ApplicationVersionEntity> {
    const application = await this.applications.findOne(principal, rawId);
    assertVersioned(application);
    return select(application, selector);
  }

  /**
   * Validates `zip` and stores it as a new version. `version` defaults to the zip's
   * `cumulocity.json` version; the first version of an application gets `latest`; a version that
   * gets `latest` becomes the active one.
   */
  async create(
    principal: Principal,
    rawId: string,
    zip: Buffer,
    request: NewVersionRequest,
    fileName?: string,
  ): Promise<ApplicationVersionEntity> {
    // Cheap 404/422 and the expensive validation before waiting for the lock.
    const application = await this.applications.findOne(principal, rawId);
    assertVersioned(application);
    const tags = request.tags === undefined || request.tags === null ? [] : parseTags(request.tags);
    const limits = this.archives.limits;
    const validated = await validateArchive(readArchive(zip, limits.maxEntries), limits);
    const version = parseVersionName(request.version ?? versionFromManifest(validated));
    return this.applications.withApplicationLock(principal, application.id, (locked) =>
      this.store(principal, locked, { validated, zip }, { version, tags, fileName }),
    );
  }

  /**
   * Stores a validated archive as version `version` of `application`. Call it under the
   * application's lock (see {@link ApplicationsService.withApplicationLock}).
   */
  async store(
    principal: Principal,
    application: ApplicationEntity,
    content: { validated: ValidatedArchive; zip: Buffer },
    request: { version: string; tags: string[]; fileName?: string },
  ): Promise<ApplicationVersionEntity> {
    const existing = application.versions ?? [];
    if (existing.length >= this.limit)
      throw CumulocityError.conflict(
        'applications',
        `Versions limit exceeded: application ${application.id} already has ${this.limit} versions; delete one first`,
        'Duplicate',
      );
    const { version } = request;
    if (existing.some((other) => other.version === version))
      throw CumulocityError.conflict(
        'applications',
        `Version or tag for this application already exists: version ${version}`,
        'Duplicate',
      );
    const tags = [...request.tags];
    if (existing.length === 0 && !tags.includes(LATEST_TAG)) tags.push(LATEST_TAG);
    assertNoTagConflict(version, tags, existing);
    const latest = tags.includes(LATEST_TAG);
    let created: ApplicationVersionEntity | undefined;
    try {
      await this.archives.storeAndActivate(
        principal,
        application,
        { validated: content.validated, content: () => chunksOf(content.zip) },
        {
          fileName: request.fileName,
          activate: latest,
          isPackage: true,
          beforeCommit: async (manager, archive) => {
            if (latest) await removeTag(manager, application, LATEST_TAG);
            created = await manager.save(
              manager.create(ApplicationVersionEntity, {
                tenantId: application.tenantId,
                applicationId: application.id,
                version,
                binaryId: archive.id,
                tags,
                creationTime: new Date(),
              }),
            );
          },
        },
      );
    } catch (error) {
      throw duplicateVersionOr(error, version);
    }
    // What `/apps/{contextPath}@{x}` serves changed: this process's caches learn it before the answer.
    this.changes.announceApplication(application);
    this.logger.log(`Application ${application.id}: version ${version} stored${latest ? ' (latest)' : ''}`);
    return created!;
  }

  /** Replaces a version's tags; `latest` moves to it and makes it the active version. */
  async replaceTags(
    principal: Principal,
    rawId: string,
    version: string,
    rawTags: unknown,
  ): Promise<ApplicationVersionEntity> {
    const tags = parseTags(rawTags);
    return this.applications.withApplicationLock(principal, rawId, async (application) => {
      assertVersioned(application);
      const target = select(application, { version });
      const others = (application.versions ?? []).filter((other) => other.id !== target.id);
      assertNoTagConflict(target.version, tags, others);
      await this.dataSource.transaction(async (manager) => {
        if (tags.includes(LATEST_TAG)) {
          await removeTag(manager, application, LATEST_TAG);
          await this.activate(manager, application, target);
        }
        await manager.update(ApplicationVersionEntity, { id: target.id }, { tags });
      });
      this.changes.announceApplication(application);
      target.tags = tags;
      return target;
    });
  }

  /**
   * Deletes a version and its archive. The version holding `latest` and the active version cannot go
   * (409): the application would serve nothing.
   */
  async remove(principal: Principal, rawId: string, selector: VersionSelector): Promise<void> {
    await this.applications.withApplicationLock(principal, rawId, async (application) => {
      assertVersioned(application);
      const target = select(application, selector);
      if (target.tags.includes(LATEST_TAG) || target.binaryId === application.activeVersionId)
        throw CumulocityError.conflict(
          'applications',
          `Version ${target.version} is the latest (active) version of application ${application.id}; tag another version "latest" first`,
        );
      // The version row goes with its archive (foreign key ON DELETE CASCADE).
      const archive = await this.applications.findArchive(application, target.binaryId);
      await this.applications.deleteArchives(application, [archive]);
      this.changes.announceApplication(application);
    });
  }

  /**
   * The archive `/apps/{contextPath}@{selector}` serves: an exact version first, then a tag; without a
   * selector, the active archive. `null` when there is none.
   */
  resolveServed(application: ApplicationEntity, selector?: string): ServedArchive | null {
    if (selector === undefined)
      return application.activeVersionId === null
        ? null
        : { binaryId: application.activeVersionId, kind: 'active', pinned: false };
    const versions = application.versions ?? [];
    const exact = versions.find((candidate) => candidate.version === selector);
    if (exact) return { binaryId: exact.binaryId, kind: 'version', pinned: true };
    const tagged = versions.find((candidate) => candidate.tags.includes(selector));
    return tagged ? { binaryId: tagged.binaryId, kind: 'tag', pinned: false } : null;
  }

  /** Makes `version` the active archive, its `cumulocity.json` the manifest. */
  private async activate(
    manager: EntityManager,
    application: ApplicationEntity,
    version: ApplicationVersionEntity,
  ): Promise<void> {
    const archive = await this.applications.findArchive(application, version.binaryId, manager);
    const manifest = archive.fragments[ARCHIVE_MANIFEST_FRAGMENT];
    const changes: Partial<ApplicationEntity> = {
      activeVersionId: version.binaryId,
      lastUpdated: new Date(),
    };
    if (typeof manifest === 'object' && manifest !== null && !Array.isArray(manifest))
      changes.manifest = manifest as Record<string, unknown>;
    // TypeORM's deep-partial type cannot express the open JSON manifest; the value is a plain one.
    await manager.update(
      ApplicationEntity,
      { id: application.id, tenantId: application.tenantId },
      changes as never,
    );
  }
}

/** Versions belong to HOSTED applications only. */
function assertVersioned(application: ApplicationEntity): void {
  if (application.type !== ApplicationType.Hosted)
    throw CumulocityError.invalidData(
      'applications',
      `This application doesn't support versioning (it is ${application.type}, only HOSTED applications have versions)`,
    );
}

function select(application: ApplicationEntity, selector: VersionSelector): ApplicationVersionEntity {
  const versions = application.versions ?? [];
  const found =
    'version' in selector
      ? versions.find((candidate) => candidate.version === selector.version)
      : versions.find((candidate) => candidate.tags.includes(selector.tag));
  if (!found) throw versionNotFound(describe(selector));
  return found;
}

/** Takes `tag` off every version of `application` (in `manager`'s transaction). */
async function removeTag(manager: EntityManager, application: ApplicationEntity, tag: string): Promise<void> {
  await manager.query(
    `UPDATE application_versions SET tags = array_remove(tags, $1) WHERE application_id = $2 AND $1 = ANY(tags)`,
    [tag, application.id],
  );
}

function versionFromManifest(validated: ValidatedArchive): unknown {
  const version = validated.manifest?.version;
  if (version === undefined)
    throw CumulocityError.invalidData(
      'applications',
      'Missing "version" in the "applicationVersion" part and in the archive\'s cumulocity.json',
    );
  return version;
}

function duplicateVersionOr(error: unknown, version: string): unknown {
  if (!uniqueViolationOf(error)) return error;
  return CumulocityError.conflict(
    'applications',
    `Version or tag for this application already exists: version ${version}`,
    'Duplicate',
  );
}
