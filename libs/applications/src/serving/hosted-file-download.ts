import { DownloadGoneError, type DownloadContent } from '@depot/common';
import { contentType } from 'mime-types';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { HostedFile } from './hosted-app-files.service';

/** Read buffer of a hosted file's stream (as the filesystem store reads blobs). */
const READ_HIGH_WATER_MARK = 1024 * 1024;

/**
 * A hosted file as `sendDownload` sends it: inline, a content type from the extension, and
 * `no-cache` so a browser revalidates and sees another activated archive at once.
 */
export function hostedFileDownload(file: HostedFile): DownloadContent {
  return {
    length: file.length,
    etag: file.etag,
    lastModified: file.lastModified,
    contentType: contentType(path.extname(file.absolutePath)) || 'application/octet-stream',
    headers: { 'Cache-Control': 'no-cache' },
    open: async (range) => {
      // Opened before the headers go out, so a file the extraction cache dropped meanwhile is a 404.
      const handle = await fs.open(file.absolutePath, 'r').catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? new DownloadGoneError('The file') : error;
      });
      return handle.createReadStream({
        start: range?.start ?? 0,
        end: range?.end ?? file.length - 1,
        highWaterMark: READ_HIGH_WATER_MARK,
      });
    },
  };
}
