import {
  Authenticated,
  CurrentPrincipal,
  LoginRedirectFilter,
  requestUrl,
  sendDownload,
  type Principal,
} from '@depot/common';
import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HostedAppFilesService } from './hosted-app-files.service';
import { hostedFileDownload } from './hosted-file-download';

/**
 * `/apps/{contextPath}/...`: the active archive's files (`/apps/{contextPath}@{version or tag}/...`:
 * that version's), for any authenticated user of the owning tenant (the session cookie counts).
 * Without credentials a page a browser opens is redirected to the login page; anything else gets a
 * 401 with `WWW-Authenticate: Basic`.
 */
@Controller('apps')
@UseFilters(LoginRedirectFilter)
export class HostedAppsController {
  constructor(private readonly files: HostedAppFilesService) {}

  @Get(':contextPath{/*path}')
  @Authenticated()
  async serve(
    @CurrentPrincipal() principal: Principal,
    @Param('contextPath') contextPath: string,
    @Param('path') path: string[] | string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const segments = pathSegments(path, request.path.endsWith('/'));
    if (segments.length === 0) return redirectToDirectory(request, response);
    // `/apps/{contextPath}@{versionOrTag}/...`: context paths never contain `@`.
    const at = contextPath.indexOf('@');
    const lookup =
      at < 0
        ? await this.files.lookup(principal, contextPath, segments)
        : await this.files.lookup(principal, contextPath.slice(0, at), segments, contextPath.slice(at + 1));
    if (lookup.kind === 'redirect') return redirectToDirectory(request, response);
    await sendDownload(request, response, hostedFileDownload(lookup.file));
  }
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
