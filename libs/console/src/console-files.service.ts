import { DownloadGoneError, type DownloadContent } from '@depot/common';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { contentType } from 'mime-types';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CONSOLE_OPTIONS, type ConsoleModuleOptions } from './console.options';

/**
 * The console's own pages forbid everything but their own origin: no inline script or style, no
 * framing, no plugins, no form posts elsewhere.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

interface ConsoleFile {
  bytes: Buffer;
  etag: string;
  lastModified: Date;
}

/** The single page every console route (`/console/login`, `/console/files`, ...) answers with. */
const INDEX_FILE = 'index.html';

/**
 * The console's files: one flat folder read once at start-up, so a request can only ever name a file
 * that is in it (no path is resolved from the URL). Small, so each is kept as bytes with its ETag.
 */
@Injectable()
export class ConsoleFilesService implements OnModuleInit {
  private readonly files = new Map<string, ConsoleFile>();

  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleModuleOptions) {}

  async onModuleInit(): Promise<void> {
    const root = this.options.webRoot ?? path.resolve(__dirname, '..', 'web');
    for (const entry of await fs.readdir(root, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.') || entry.name.endsWith('.json')) continue;
      const absolute = path.join(root, entry.name);
      const [bytes, stat] = await Promise.all([fs.readFile(absolute), fs.stat(absolute)]);
      const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
      this.files.set(entry.name, { bytes, etag, lastModified: stat.mtime });
    }
    if (!this.files.has(INDEX_FILE)) throw new Error(`The console's ${INDEX_FILE} is missing in ${root}`);
  }

  /**
   * The file a path below `/console/` names; a path that is no file name (a page of the single-page
   * app) gets `index.html`; an unknown file name is undefined (a 404).
   */
  lookup(segments: readonly string[]): DownloadContent | undefined {
    const name = segments.length === 1 ? segments[0] : undefined;
    const file = name !== undefined ? this.files.get(name) : undefined;
    if (file && name !== undefined) return this.download(name, file);
    const last = segments[segments.length - 1] ?? '';
    if (last.includes('.')) return undefined;
    return this.download(INDEX_FILE, this.files.get(INDEX_FILE)!);
  }

  get defaultTenant(): string {
    return this.options.defaultTenant;
  }

  private download(name: string, file: ConsoleFile): DownloadContent {
    return {
      length: file.bytes.length,
      etag: file.etag,
      lastModified: file.lastModified,
      contentType: contentType(path.extname(name)) || 'application/octet-stream',
      headers: CONSOLE_HEADERS,
      open: (range) => {
        if (!this.files.has(name)) return Promise.reject(new DownloadGoneError('The file'));
        const bytes = range ? file.bytes.subarray(range.start, range.end + 1) : file.bytes;
        return Promise.resolve(Readable.from([bytes]));
      },
    };
  }
}
