import { ArchiveWorkLimiter, servedPath } from '@depot/archive';
import {
  assertSafeRelativePath,
  CumulocityError,
  Role,
  UnsafePathError,
  type DownloadContent,
} from '@depot/common';
import { BinariesService } from '@depot/inventory-binaries';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ApplicationChangeFeed } from '../application-change-feed';
import type { ApplicationEntity } from '../application.entity';
import { APPLICATIONS_OPTIONS, type ApplicationsModuleOptions } from '../applications.options';
import { ApplicationsService } from '../applications.service';
import { ApplicationVersionsService } from '../versions/application-versions.service';
import { ArchiveExtractionCache, type ExtractedArchive } from './archive-extraction-cache';
import { HostedAppResolutionCache, type HostedArchive } from './hosted-app-resolution-cache';
import { HostedFileBytesCache } from './hosted-file-bytes-cache';
import { hostedFileDownload, type HostedDownloadOptions } from './hosted-file-download';
import { PRECOMPRESSED_ENCODINGS, type PrecompressedEncoding } from './select-encoding';

/** One representation of a file: the file itself, or a precompressed copy of it. */
export interface HostedRepresentation {
  absolutePath: string;
  length: number;
  /** Strong: archives are immutable, so (archive id, path) names exactly one content. */
  etag: string;
}

/** A file of an archive, ready to be sent. */
export interface HostedFile extends HostedRepresentation {
  /** The name asked for; its extension gives the content type of every representation. */
  name: string;
  lastModified: Date;
  /** The URL named an exact version: the bytes behind it never change. */
  pinned: boolean;
  /** `x.br` / `x.gz` stored beside `x` in the archive. */
  precompressed: Partial<Record<PrecompressedEncoding, HostedRepresentation>>;
}

/** `redirect`: a directory was asked for without its trailing slash (relative links need it). */
export type HostedFileLookup = { kind: 'file'; file: HostedFile } | { kind: 'redirect' };

/** What a `/apps/...` URL names. */
export interface HostedFileRequest {
  /** The caller's tenant; `undefined` under `/apps/public/...`, which serves public applications. */
  tenantId: string | undefined;
  contextPath: string;
  /** What followed `@` in the first segment (`/apps/{contextPath}@{selector}/...`). */
  selector: string | undefined;
  /** The URL-decoded path below it; a trailing `''` means a trailing slash. */
  segments: string[];
}

const DEFAULT_CACHE_SIZE = 32;
const DEFAULT_RESOLUTION_TTL_MS = 10_000;
const DEFAULT_MEMORY_CACHE_BYTES = 32 * 1024 * 1024;
/** Larger files are streamed from the extracted copy on every request. */
const MAX_FILE_IN_MEMORY_BYTES = 512 * 1024;
const INDEX = 'index.html';
/** Not a tenant id: the scope of `/apps/public/...` in cache keys. */
const PUBLIC_SCOPE = '\u0000public';

/** A 404 that no cache keeps: the file may appear with the next archive. */
function notServed(message: string): CumulocityError {
  const error = CumulocityError.notFound('applications', message);
  error.headers['Cache-Control'] = 'no-store';
  return error;
}

/**
 * Finds the file a `/apps/{contextPath}[@selector]/{path}` request names: in the caller's tenant's
 * HOSTED application, or (under `/apps/public/`) in a public one of any tenant. Which archive that is
 * comes from a per-process cache that the application change feed keeps true across processes; the
 * files and their index come from this process's extraction cache (archives are immutable).
 */
@Injectable()
export class HostedAppFilesService implements OnApplicationShutdown {
  private readonly cache: ArchiveExtractionCache;
  private readonly resolutions: HostedAppResolutionCache;
  private readonly bytes: HostedFileBytesCache;
  /** ETags by extracted file (hashing a name per request is avoidable work). */
  private readonly etags = new WeakMap<ExtractedArchive, Map<string, string>>();

  constructor(
    private readonly applications: ApplicationsService,
    private readonly versions: ApplicationVersionsService,
    private readonly binaries: BinariesService,
    @Inject(APPLICATIONS_OPTIONS) options: ApplicationsModuleOptions,
    archiveWork: ArchiveWorkLimiter,
    feed: ApplicationChangeFeed,
  ) {
    this.cache = new ArchiveExtractionCache(
      options.extractionCacheDir,
      options.extractionCacheSize ?? DEFAULT_CACHE_SIZE,
      archiveWork,
    );
    this.resolutions = new HostedAppResolutionCache(
      feed,
      options.servingCacheTtlMs ?? DEFAULT_RESOLUTION_TTL_MS,
    );
    this.bytes = new HostedFileBytesCache(
      options.servingMemoryCacheBytes ?? DEFAULT_MEMORY_CACHE_BYTES,
      MAX_FILE_IN_MEMORY_BYTES,
    );
  }

  /** The file as `sendDownload` sends it (see {@link hostedFileDownload}), from memory when small. */
  async download(file: HostedFile, options: HostedDownloadOptions): Promise<DownloadContent> {
    const content = hostedFileDownload(file, options);
    content.bytes = await this.bytes.get(content.absolutePath, content.length);
    return content;
  }

  async lookup(target: HostedFileRequest): Promise<HostedFileLookup> {
    const { contextPath, segments } = target;
    const wantsDirectory = segments.length === 0 || segments[segments.length - 1] === '';
    // Files were extracted under the NFC form of their names: an NFD entry answers an NFC request.
    const relative = servedPath((wantsDirectory ? segments.slice(0, -1) : segments).join('/'));
    if (relative !== '') assertServablePath(contextPath, relative);
    const archive = await this.archiveOf(target);
    const extracted = await this.cache.archiveFor(archive.archiveId, () => this.readArchive(archive));

    const candidate = wantsDirectory ? (relative === '' ? INDEX : `${relative}/${INDEX}`) : relative;
    const length = extracted.files.get(candidate);
    if (length === undefined) {
      if (!wantsDirectory && extracted.directories.has(candidate)) return { kind: 'redirect' };
      throw notServed(`No file ${JSON.stringify(relative)} in application ${contextPath}`);
    }
    const representation: HostedRepresentation = {
      absolutePath: path.join(extracted.directory, candidate),
      length,
      etag: this.etagOf(extracted, archive.archiveId, candidate),
    };
    const precompressed: HostedFile['precompressed'] = {};
    for (const [encoding, suffix] of PRECOMPRESSED_ENCODINGS) {
      const variantLength = extracted.files.get(`${candidate}${suffix}`);
      if (variantLength === undefined) continue;
      precompressed[encoding] = {
        absolutePath: path.join(extracted.directory, `${candidate}${suffix}`),
        length: variantLength,
        // Another representation of the same resource: its own tag (RFC 9110 8.8.3.3).
        etag: `${representation.etag.slice(0, -1)}-${encoding}"`,
      };
    }
    return {
      kind: 'file',
      file: {
        ...representation,
        name: candidate,
        lastModified: archive.created,
        pinned: archive.pinned,
        precompressed,
      },
    };
  }

  private etagOf(extracted: ExtractedArchive, archiveId: string, name: string): string {
    let etags = this.etags.get(extracted);
    if (!etags) this.etags.set(extracted, (etags = new Map()));
    let etag = etags.get(name);
    if (etag === undefined) {
      etag = `"${archiveId}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}"`;
      etags.set(name, etag);
    }
    return etag;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.clear();
  }

  /** The archive the URL serves (cached; see {@link HostedAppResolutionCache}). */
  private archiveOf(target: HostedFileRequest): Promise<HostedArchive> {
    const scope = target.tenantId ?? PUBLIC_SCOPE;
    // `@` with nothing after it selects nothing: its key must differ from the active path's.
    const selector = target.selector === undefined ? '' : `@${target.selector}`;
    const key = `${scope}\u0000${target.contextPath}\u0000${selector}`;
    return this.resolutions.resolve(key, target.contextPath, () => this.resolveArchive(target));
  }

  private async resolveArchive(target: HostedFileRequest): Promise<HostedArchive> {
    const { tenantId, contextPath } = target;
    const application =
      tenantId === undefined
        ? await this.applications.findPublicHostedByContextPath(contextPath)
        : await this.applications.findHostedByContextPath(tenantId, contextPath);
    // The same answer for "none", "not public" and "no content": nothing about other tenants leaks.
    const served = application && (await this.servedArchiveOf(application, target.selector));
    if (!application || !served) {
      const prefix = tenantId === undefined ? '/apps/public/' : '/apps/';
      const selector = target.selector === undefined ? '' : `@${target.selector}`;
      throw notServed(`No application is served under ${prefix}${contextPath}${selector}`);
    }
    const archive = await this.applications.findArchive(application, served.archiveId);
    return {
      applicationId: application.id,
      tenantId: application.tenantId,
      contextPath,
      archiveId: archive.id,
      created: archive.creationTime,
      pinned: served.pinned,
    };
  }

  /**
   * Which archive of `application` a URL serves: without a selector the active one (never pinned,
   * it can change at any time); `@{selector}` names an exact version (pinned, immutable caching) or
   * else a tag (not pinned: tags move). The answer is cached per process and dropped when the
   * application's row or one of its versions changes (both tables' triggers notify every process).
   */
  private async servedArchiveOf(
    application: ApplicationEntity,
    selector: string | undefined,
  ): Promise<{ archiveId: string; pinned: boolean } | null> {
    if (selector !== undefined) await this.applications.loadVersions([application]);
    const served = this.versions.resolveServed(application, selector);
    return served && { archiveId: served.binaryId, pinned: served.pinned };
  }

  /** The whole archive (bounded by MAX_ARCHIVE_SIZE), read on the application service's behalf. */
  private async readArchive(archive: HostedArchive): Promise<Buffer> {
    const { stream } = await this.binaries.openContent(
      { tenantId: archive.tenantId, userName: 'depot:apps', roles: [Role.InventoryAdmin] },
      archive.archiveId,
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
    if (error instanceof UnsafePathError)
      throw notServed(`No file ${JSON.stringify(relative)} in application ${contextPath}`);
    throw error;
  }
}
