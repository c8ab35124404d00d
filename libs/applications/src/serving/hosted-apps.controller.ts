import { Authenticated, CurrentPrincipal, LoginRedirectFilter, Public, type Principal } from '@depot/common';
import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HostedAppFilesService } from './hosted-app-files.service';
import { serveHostedFile } from './serve-hosted-file';

/**
 * `/apps/{contextPath}[@selector]/...`: the files of an application of the caller's tenant, for any
 * authenticated user of it (the session cookie counts). Without credentials a page a browser opens
 * is redirected to the login page; anything else gets a 401 with `WWW-Authenticate: Basic`. `/apps/public/{contextPath}[@selector]/...`: the same files of a public application
 * (`"public": true`), without credentials. The query string never changes what is served.
 */
@Controller('apps')
@UseFilters(LoginRedirectFilter)
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
    const segments = pathSegments(path, request.path.endsWith('/'));
    return serveHostedFile(
      this.files,
      { tenantId: undefined, first: contextPath, segments },
      request,
      response,
    );
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
    const segments = pathSegments(path, request.path.endsWith('/'));
    const target = { tenantId: principal.tenantId, first: contextPath, segments };
    return serveHostedFile(this.files, target, request, response);
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
