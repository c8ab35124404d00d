import { CumulocityError, Public, sendDownload } from '@depot/common';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleFilesService } from './console-files.service';

/**
 * The web console at `/console/` (and `/` leads there). Public: the pages hold no data; every
 * request the console makes goes to the REST API, which enforces the user's roles.
 */
@Controller()
export class ConsoleController {
  constructor(private readonly files: ConsoleFilesService) {}

  @Get()
  @Public()
  root(@Res() response: Response): void {
    response.redirect(302, '/console/');
  }

  /** What the login page needs before anyone logs in: the tenant to offer first. */
  @Get('console/settings.json')
  @Public()
  settings(@Res() response: Response): void {
    response.setHeader('Cache-Control', 'no-cache');
    response.json({ tenant: this.files.defaultTenant });
  }

  @Get('console{/*path}')
  @Public()
  async serve(
    @Param('path') wildcard: string[] | string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (request.path === '/console') return response.redirect(301, '/console/');
    const segments = (Array.isArray(wildcard) ? wildcard : (wildcard ?? '').split('/')).filter(Boolean);
    const content = this.files.lookup(segments);
    if (!content) throw CumulocityError.notFound('console', `No console file ${request.path}`);
    await sendDownload(request, response, content);
  }
}
