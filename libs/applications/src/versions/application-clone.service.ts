import { readArchive, validateArchive } from '@depot/archive';
import { CumulocityError, type Principal } from '@depot/common';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ApplicationEntity, ApplicationType } from '../application.entity';
import { ApplicationArchivesService, chunksOf } from '../application-archives.service';
import { ApplicationsService } from '../applications.service';
import { ApplicationVersionsService } from './application-versions.service';
import type { ApplicationVersionEntity } from './application-version.entity';
import { LATEST_TAG } from './version-rules';

/** Prefixes tried before giving up: `clone`, `clone1`, ... `clone99`. */
const MAX_CLONE_NUMBER = 99;

/**
 * `POST /application/applications/{id}/clone`: a copy of an application whose `name`, `key` and
 * `contextPath` get the prefix `clone` (then `clone1`, `clone2`, ... while one of them is taken).
 * A HOSTED clone serves the same content: the chosen version (`?version=`, a version or a tag;
 * default the `latest` one) becomes its only version, tagged `latest`; an application without
 * versions gives its active archive. The archive is copied, so the two never share a binary.
 */
@Injectable()
export class ApplicationCloneService {
  private readonly logger = new Logger(ApplicationCloneService.name);

  constructor(
    private readonly applications: ApplicationsService,
    private readonly archives: ApplicationArchivesService,
    private readonly versions: ApplicationVersionsService,
  ) {}

  async clone(principal: Principal, rawId: string, version?: string): Promise<ApplicationEntity> {
    const source = await this.applications.findOne(principal, rawId);
    if (source.type === ApplicationType.Microservice)
      throw CumulocityError.invalidData(
        'applications',
        'Cloning a MICROSERVICE application: method not supported',
      );
    const chosen = chooseContent(source, version);
    // Read and check the bytes before anything is created.
    const zip = chosen ? await this.archives.readArchiveBytes(principal, source, chosen.binaryId) : undefined;
    const limits = this.archives.limits;
    const validated = zip ? await validateArchive(readArchive(zip, limits.maxEntries), limits) : undefined;
    const clone = await this.createNamedClone(principal, source);
    try {
      if (zip && validated && chosen)
        await this.applications.withApplicationLock(principal, clone.id, async (locked) => {
          const fileName = `${locked.contextPath ?? locked.name}.zip`;
          if (chosen.version)
            await this.versions.store(
              principal,
              locked,
              { validated, zip },
              {
                version: chosen.version.version,
                tags: [LATEST_TAG],
                fileName,
              },
            );
          else
            await this.archives.storeAndActivate(
              principal,
              locked,
              { validated, content: () => chunksOf(zip) },
              {
                fileName,
              },
            );
        });
    } catch (error) {
      await this.applications.remove(principal, clone.id).catch(() => undefined);
      throw error;
    }
    this.logger.log(`Application ${source.id} of ${source.tenantId} cloned as ${clone.id}`);
    return this.applications.findOne(principal, clone.id);
  }

  /** Creates the copy under the first free `clone<n>` prefix (the unique indexes decide what is free). */
  private async createNamedClone(
    principal: Principal,
    source: ApplicationEntity,
  ): Promise<ApplicationEntity> {
    for (let number = 0; number <= MAX_CLONE_NUMBER; number++) {
      const prefix = number === 0 ? 'clone' : `clone${number}`;
      try {
        return await this.applications.create(principal, {
          ...source.extra,
          name: `${prefix}${source.name}`,
          key: `${prefix}${source.key}`,
          type: source.type,
          availability: source.availability,
          ...(source.contextPath === null ? {} : { contextPath: `${prefix}${source.contextPath}` }),
          ...(source.externalUrl === null ? {} : { externalUrl: source.externalUrl }),
          ...(source.manifest === null ? {} : { manifest: source.manifest }),
        });
      } catch (error) {
        if (!(error instanceof CumulocityError) || error.status !== HttpStatus.CONFLICT) throw error;
      }
    }
    throw CumulocityError.conflict(
      'applications',
      `Application ${source.id} has been cloned too often: clone to clone${MAX_CLONE_NUMBER} are taken`,
      'Duplicate',
    );
  }
}

/** The archive a clone copies, and the version it came from (if any). */
function chooseContent(
  source: ApplicationEntity,
  version: string | undefined,
): { binaryId: string; version?: ApplicationVersionEntity } | undefined {
  const versions = source.versions ?? [];
  if (version !== undefined) {
    const found =
      versions.find((candidate) => candidate.version === version) ??
      versions.find((candidate) => candidate.tags.includes(version));
    if (!found)
      throw CumulocityError.notFound(
        'applications',
        `Cannot find application version for this application (version ${version})`,
      );
    return { binaryId: found.binaryId, version: found };
  }
  const latest = versions.find((candidate) => candidate.tags.includes(LATEST_TAG));
  if (latest) return { binaryId: latest.binaryId, version: latest };
  if (source.activeVersionId === null) return undefined;
  const active = versions.find((candidate) => candidate.binaryId === source.activeVersionId);
  return { binaryId: source.activeVersionId, version: active };
}
