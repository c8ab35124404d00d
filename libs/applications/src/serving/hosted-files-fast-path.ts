import type { Principal } from '@depot/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HostedAppFilesService } from './hosted-app-files.service';
import { serveHostedFile, type HostedFileTarget } from './serve-hosted-file';

/** The label request metrics give the files this path serves (the Nest routes' common prefix). */
export const HOSTED_FILES_ROUTE_LABEL = '/apps/*';

/**
 * Express middleware that serves hosted files ahead of the framework's routing, guards,
 * interceptors and request logging, which cost more CPU than the file itself (issue 15). It only
 * takes what it can answer exactly as `HostedAppsController` would, with a 200, 206 or 304: a GET or
 * HEAD of `/apps/public/...`, or of `/apps/{contextPath}/...` by a caller whose credentials
 * `principalOf` already knows (verified a moment ago: it never verifies, counts or refuses a login).
 * Everything else (no or unknown credentials, sessions, redirects, 404s, 416s, bad encodings) goes on
 * to the controller, which gives the full answer. Install it after the request-id, metrics and URL
 * checks; a host that embeds the modules can leave it out and lose nothing but speed.
 */
export function hostedFilesFastPath(
  files: HostedAppFilesService,
  principalOf: (request: Request) => Principal | undefined,
): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const target = targetOf(request, principalOf);
    if (!target) return next();
    (request as Request & { route?: unknown }).route = { path: HOSTED_FILES_ROUTE_LABEL };
    serveHostedFile(files, target, request, response).catch(() => {
      // The controller answers it properly (a 404 with its body, a 416, a redirect...).
      if (response.headersSent) response.destroy();
      else next();
    });
  };
}

function targetOf(
  request: Request,
  principalOf: (request: Request) => Principal | undefined,
): HostedFileTarget | undefined {
  const path = request.path;
  if (!path.startsWith('/apps/')) return undefined;
  let parts: string[];
  try {
    parts = path.slice('/apps/'.length).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const isPublic = parts[0] === 'public';
  if (isPublic) parts = parts.slice(1);
  // `/apps/{contextPath}` without a slash is redirected, empty segments are the router's to judge.
  if (parts.length < 2 || parts.slice(0, -1).some((part) => part === '')) return undefined;
  const [first, ...segments] = parts;
  if (isPublic) return { tenantId: undefined, first, segments };
  const tenantId = principalOf(request)?.tenantId;
  return tenantId ? { tenantId, first, segments } : undefined;
}
