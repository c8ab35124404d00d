import { ArchiveWorkLimiter, servedPath } from '@depot/archive';
import {
  assertSafeRelativePath,
  CumulocityError,
  Role,
  UnsafePathError,
  type Principal,
} from '@depot/common';
import { BinariesService } from '@depot/inventory-binaries';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from '../applications.options';
import { ApplicationsService } from '../applications.service';
import { ApplicationVersionsService, type ServedArchive } from '../versions/application-versions.service';
import { ArchiveExtractionCache } from './archive-extraction-cache';

/** A file of an application's active archive, ready to be sent. */
export interface HostedFile {
  absolutePath: string;
  length: number;
  /** Strong: archives are immutable, so (archive id, path) names exactly one content. */
  etag: string;
  lastModified: Date;
  /** Which archive served it: the active one, an exact version (`pinned`) or a tag. */
  served: ServedArchive;
}

/** `redirect`: a directory was asked for without its trailing slash (relative links need it). */
export type HostedFileLookup = { kind: 'file'; file: HostedFile } | { kind: 'redirect' };

const DEFAULT_CACHE_SIZE = 32;
const INDEX = 'index.html';

function notFound(contextPath: string, relativePath: string): CumulocityError {
  return CumulocityError.notFound(
    'applications',
    `No file ${JSON.stringify(relativePath)} in application ${contextPath}`,
  );
}

/**
 * Finds the file a `/apps/{contextPath}/{path}` request names in the active archive of the caller's
 * tenant's hosted application. The application row is read on every request, so activating another
 * archive shows on the next request in every process; the files come from this process's
 * extraction cache.
 */
@Injectable()
export class HostedAppFilesService implements OnApplicationShutdown {
  private readonly cache: ArchiveExtractionCache;

  constructor(
    private readonly applications: ApplicationsService,
    private readonly binaries: BinariesService,
    private readonly versions: ApplicationVersionsService,
    @Inject(APPLICATIONS_OPTIONS) options: ApplicationsModuleOptions,
    archiveWork: ArchiveWorkLimiter,
  ) {
    this.cache = new ArchiveExtractionCache(
      options.extractionCacheDir,
      options.extractionCacheSize ?? DEFAULT_CACHE_SIZE,
      archiveWork,
    );
  }

  /**
   * `segments`: the URL-decoded path below the context path; a trailing `''` means a trailing slash.
   * `selector`: the `x` of `/apps/{contextPath}@{x}/` (a version, else a tag); absent: the active archive.
   */
  async lookup(
    principal: Principal,
    contextPath: string,
    segments: string[],
    selector?: string,
  ): Promise<HostedFileLookup> {
    const wantsDirectory = segments.length === 0 || segments[segments.length - 1] === '';
    // Files were extracted under the NFC form of their names: an NFD entry answers an NFC request.
    const relative = servedPath((wantsDirectory ? segments.slice(0, -1) : segments).join('/'));
    if (relative !== '') assertServablePath(contextPath, relative);
    const application = await this.applications.findHostedByContextPath(principal.tenantId, contextPath);
    if (application && selector !== undefined) await this.applications.loadVersions([application]);
    const served = application ? this.versions.resolveServed(application, selector) : null;
    if (!application || !served)
      throw CumulocityError.notFound(
        'applications',
        `No application is served under /apps/${contextPath}${selector === undefined ? '' : `@${selector}`}`,
      );
    const archive = await this.applications.findArchive(application, served.binaryId);
    const directory = await this.cache.directoryFor(archive.id, () =>
      this.readArchive(principal, archive.id),
    );

    let candidate = relative === '' ? INDEX : wantsDirectory ? `${relative}/${INDEX}` : relative;
    let stats = await statOrNull(path.join(directory, candidate));
    if (stats?.isDirectory()) {
      if (!wantsDirectory) return { kind: 'redirect' };
      candidate = `${candidate}/${INDEX}`;
      stats = await statOrNull(path.join(directory, candidate));
    }
    if (!stats?.isFile()) throw notFound(contextPath, relative);
    return {
      kind: 'file',
      file: {
        absolutePath: path.join(directory, candidate),
        length: stats.size,
        etag: `"${archive.id}-${createHash('sha256').update(candidate).digest('hex').slice(0, 16)}"`,
        lastModified: archive.creationTime,
        served,
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.clear();
  }

  /** The whole archive (bounded by MAX_ARCHIVE_SIZE), read on the application service's behalf. */
  private async readArchive(principal: Principal, archiveId: string): Promise<Buffer> {
    const { stream } = await this.binaries.openContent(
      { tenantId: principal.tenantId, userName: principal.userName, roles: [Role.InventoryAdmin] },
      archiveId,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/** Names that could escape the extraction directory are simply not there. */
function assertServablePath(contextPath: string, relative: string): void {
  try {
    assertSafeRelativePath(relative);
  } catch (error) {
    if (error instanceof UnsafePathError) throw notFound(contextPath, relative);
    throw error;
  }
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.stat(file);
  } catch {
    return null;
  }
}
