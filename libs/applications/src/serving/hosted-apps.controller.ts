import { Authenticated, CumulocityError, CurrentPrincipal, type Principal } from '@depot/common';
import { planDownload } from '@depot/inventory-binaries/plan-download';
import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { contentType } from 'mime-types';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HostedAppFilesService, type HostedFile } from './hosted-app-files.service';

/**
 * `/apps/{contextPath}/...`: the active archive's files, for any authenticated user of the owning
 * tenant (a 401 carries `WWW-Authenticate: Basic`, so a browser asks for credentials).
 */
@Controller('apps')
export class HostedAppsController {
  private readonly logger = new Logger(HostedAppsController.name);

  constructor(private readonly files: HostedAppFilesService) {}

  @Get(':contextPath{/*path}')
  @Authenticated()
  async serve(
    @CurrentPrincipal() principal: Principal,
    @Param('contextPath') contextPath: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const segments = pathSegments(request.path);
    if (segments.length === 0) return redirectToDirectory(request, response);
    const lookup = await this.files.lookup(principal, contextPath, segments);
    if (lookup.kind === 'redirect') return redirectToDirectory(request, response);
    await this.send(request, response, lookup.file);
  }

  private async send(request: Request, response: Response, file: HostedFile): Promise<void> {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const plan = planDownload(
      { etag: file.etag, lastModified: file.lastModified, length: file.length },
      {
        range: header('range'),
        ifRange: header('if-range'),
        ifNoneMatch: header('if-none-match'),
        ifModifiedSince: header('if-modified-since'),
      },
    );
    if (plan.status === 416)
      throw new CumulocityError(
        416,
        'applications/Range Not Satisfiable',
        `The file has ${file.length} bytes`,
        {
          'Content-Range': `bytes */${file.length}`,
        },
      );
    response.status(plan.status);
    response.setHeader('ETag', file.etag);
    response.setHeader('Last-Modified', file.lastModified.toUTCString());
    // Revalidate every time: activating another archive must show on the next request.
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('Accept-Ranges', 'bytes');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (plan.status === 304) {
      response.end();
      return;
    }
    response.setHeader(
      'Content-Type',
      contentType(path.extname(file.absolutePath)) || 'application/octet-stream',
    );
    const range = plan.status === 206 ? plan.range : { start: 0, end: file.length - 1 };
    if (plan.status === 206)
      response.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.length}`);
    response.setHeader('Content-Length', file.length === 0 ? 0 : range.end - range.start + 1);
    if (request.method === 'HEAD' || file.length === 0) {
      response.end();
      return;
    }
    try {
      await pipeline(createReadStream(file.absolutePath, range), response);
    } catch (error) {
      this.logger.debug(`Serving ${file.absolutePath} ended early: ${String(error)}`);
    }
  }
}

/** URL-decoded segments below `/apps/{contextPath}`; a trailing slash gives a trailing `''`. */
function pathSegments(requestPath: string): string[] {
  const parts = requestPath.split('/').slice(3);
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    throw CumulocityError.notFound('applications', 'Malformed path');
  }
}

function redirectToDirectory(request: Request, response: Response): void {
  const url = new URL(request.originalUrl, 'http://placeholder');
  response.redirect(301, `${url.pathname}/${url.search}`);
}
