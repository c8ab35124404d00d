import { requestUrl, sendDownload } from '@depot/common';
import type { Request, Response } from 'express';
import type { HostedAppFilesService } from './hosted-app-files.service';

/** What a `/apps/...` URL names, below `/apps` or `/apps/public`. */
export interface HostedFileTarget {
  /** The caller's tenant; `undefined` for `/apps/public/...`. */
  tenantId: string | undefined;
  /** The first segment: `{contextPath}` or `{contextPath}@{selector}`. */
  first: string;
  /** The URL-decoded segments below it; a trailing `''` means a trailing slash. */
  segments: string[];
}

/**
 * Serves the file a `/apps` URL names (see `HostedAppFilesService.lookup`), or redirects a
 * directory asked for without its slash; throws the lookup's errors (404 and the like).
 */
export async function serveHostedFile(
  files: HostedAppFilesService,
  target: HostedFileTarget,
  request: Request,
  response: Response,
): Promise<void> {
  if (target.segments.length === 0) return redirectToDirectory(request, response);
  const { contextPath, selector } = splitSelector(target.first);
  const lookup = await files.lookup({
    tenantId: target.tenantId,
    contextPath,
    selector,
    segments: target.segments,
  });
  if (lookup.kind === 'redirect') return redirectToDirectory(request, response);
  const content = await files.download(lookup.file, {
    pinned: lookup.file.pinned,
    publicScope: target.tenantId === undefined,
    acceptEncoding: headerOf(request, 'accept-encoding'),
    ranged: request.headers.range !== undefined,
  });
  await sendDownload(request, response, content);
}

/** `ctx@1.2.3` → `ctx` and `1.2.3` (context paths have no `@`). */
function splitSelector(first: string): { contextPath: string; selector: string | undefined } {
  const at = first.indexOf('@');
  if (at < 0) return { contextPath: first, selector: undefined };
  return { contextPath: first.slice(0, at), selector: first.slice(at + 1) };
}

function headerOf(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function redirectToDirectory(request: Request, response: Response): void {
  const url = requestUrl(request);
  url.pathname += '/';
  response.redirect(301, url.toString());
}
