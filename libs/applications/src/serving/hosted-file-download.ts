import { DownloadGoneError, FileReadStream, type DownloadContent } from '@depot/common';
import { contentType } from 'mime-types';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { HostedFile, HostedRepresentation } from './hosted-app-files.service';
import { selectEncoding, type PrecompressedEncoding } from './select-encoding';

/**
 * Read buffer of a hosted file's stream: 64 KiB, as `express.static` reads, so one large file does
 * not hold the event loop with megabyte writes while small files of other requests wait.
 */
const READ_CHUNK_BYTES = 64 * 1024;
const ONE_YEAR_SECONDS = 31_536_000;

export interface HostedDownloadOptions {
  /**
   * The URL names an exact version, whose bytes never change: `max-age` of a year and `immutable`.
   * Default false: `no-cache`, so a browser revalidates (ETag) and sees another archive at once.
   */
  pinned?: boolean;
  /** Served without credentials (`/apps/public/...`): shared caches may keep a pinned file. */
  publicScope?: boolean;
  /** The request's `Accept-Encoding`: picks a precompressed copy when the archive has one. */
  acceptEncoding?: string;
  /** The request has a `Range`: ranges are served from the file itself, never a compressed copy. */
  ranged?: boolean;
}

/** `Cache-Control` of a hosted file. */
export function hostedCacheControl(options: Pick<HostedDownloadOptions, 'pinned' | 'publicScope'>): string {
  if (!options.pinned) return 'no-cache';
  return `${options.publicScope ? 'public' : 'private'}, max-age=${ONE_YEAR_SECONDS}, immutable`;
}

/**
 * A hosted file as `sendDownload` sends it: inline, the content type of the name asked for, a cache
 * policy (see {@link HostedDownloadOptions.pinned}), and, when the archive holds `x.br` or `x.gz`
 * beside `x`, the copy the client accepts with `Content-Encoding`, its own ETag and
 * `Vary: Accept-Encoding`. No Content-Security-Policy: hosted apps bring their own in the HTML.
 */
export function hostedFileDownload(
  file: HostedFile,
  options: HostedDownloadOptions = {},
): DownloadContent & { absolutePath: string } {
  const available = Object.keys(file.precompressed) as PrecompressedEncoding[];
  const encoding = options.ranged ? undefined : selectEncoding(options.acceptEncoding, available);
  const representation: HostedRepresentation = (encoding && file.precompressed[encoding]) || file;
  const headers: Record<string, string> = { 'Cache-Control': hostedCacheControl(options) };
  if (available.length > 0) headers.Vary = 'Accept-Encoding';
  return {
    absolutePath: representation.absolutePath,
    length: representation.length,
    etag: representation.etag,
    lastModified: file.lastModified,
    contentType: contentType(path.extname(file.name)) || 'application/octet-stream',
    contentEncoding: encoding,
    headers,
    open: async (range) => {
      // Opened before the headers go out, so a file the extraction cache dropped meanwhile is a 404.
      const handle = await fs.open(representation.absolutePath, 'r').catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? new DownloadGoneError('The file') : error;
      });
      return new FileReadStream(
        handle,
        range?.start ?? 0,
        range?.end ?? representation.length - 1,
        READ_CHUNK_BYTES,
      );
    },
  };
}
