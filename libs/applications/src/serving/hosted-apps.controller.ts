import {
  Authenticated,
  CurrentPrincipal,
  Public,
  requestUrl,
  sendDownload,
  type Principal,
} from '@depot/common';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HostedAppFilesService } from './hosted-app-files.service';
import { hostedFileDownload } from './hosted-file-download';

/**
 * `/apps/{contextPath}[@selector]/...`: the files of an application of the caller's tenant, for any
 * authenticated user of it (a 401 carries `WWW-Authenticate: Basic`, so a browser asks for
 * credentials). `/apps/public/{contextPath}[@selector]/...`: the same files of a public application
 * (`"public": true`), without credentials. The query string never changes what is served.
 */
@Controller('apps')
export class HostedAppsController {
  constructor(private readonly files: HostedAppFilesService) {}

  // Declared first: Express tries routes in order, and `public` is no context path.
  @Get('public/:contextPath{/*path}')
  @Public()
  servePublic(
    @Param('contextPath') contextPath: string,
    @Param('path') path: string[] | string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.serve(undefined, contextPath, path, request, response);
  }

  @Get(':contextPath{/*path}')
  @Authenticated()
  serveOwn(
    @CurrentPrincipal() principal: Principal,
    @Param('contextPath') contextPath: string,
    @Param('path') path: string[] | string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.serve(principal.tenantId, contextPath, path, request, response);
  }

  private async serve(
    tenantId: string | undefined,
    first: string,
    path: string[] | string | undefined,
    request: Request,
    response: Response,
  ): Promise<void> {
    const segments = pathSegments(path, request.path.endsWith('/'));
    if (segments.length === 0) return redirectToDirectory(request, response);
    const { contextPath, selector } = splitSelector(first);
    const lookup = await this.files.lookup({ tenantId, contextPath, selector, segments });
    if (lookup.kind === 'redirect') return redirectToDirectory(request, response);
    await sendDownload(
      request,
      response,
      hostedFileDownload(lookup.file, {
        pinned: lookup.file.pinned,
        publicScope: tenantId === undefined,
        acceptEncoding: headerOf(request, 'accept-encoding'),
        ranged: request.headers.range !== undefined,
      }),
    );
  }
}

/** `ctx@1.2.3` → `ctx` and `1.2.3` (context paths have no `@`; versions and tags may not be empty). */
function splitSelector(first: string): { contextPath: string; selector: string | undefined } {
  const at = first.indexOf('@');
  if (at < 0) return { contextPath: first, selector: undefined };
  return { contextPath: first.slice(0, at), selector: first.slice(at + 1) };
}

function headerOf(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The URL-decoded segments below `/apps/{contextPath}` (Express 5 hands a wildcard over as an
 * array, already decoded); a trailing slash adds a trailing `''`.
 */
function pathSegments(wildcard: string[] | string | undefined, trailingSlash: boolean): string[] {
  const segments =
    wildcard === undefined ? [] : Array.isArray(wildcard) ? [...wildcard] : wildcard.split('/');
  // Express may or may not hand the trailing slash over as an empty last segment.
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  if (trailingSlash) segments.push('');
  return segments;
}

function redirectToDirectory(request: Request, response: Response): void {
  const url = requestUrl(request);
  url.pathname += '/';
  response.redirect(301, url.toString());
}
