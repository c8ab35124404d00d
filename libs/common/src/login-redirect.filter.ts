import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CumulocityError } from './cumulocity-error';
import { handleRequestError } from './cumulocity-exception.filter';
import { requestBaseUrl } from './request-base-url';

/** The Express setting naming the login page (e.g. `app.set(LOGIN_PAGE_SETTING, '/console/login')`). */
export const LOGIN_PAGE_SETTING = 'depot login page';

/**
 * For routes people open in a browser (hosted applications): an unauthenticated request for an
 * HTML page (GET or HEAD whose `Accept` prefers `text/html` over JSON) is sent to the login page
 * with `returnTo=<path and query>`, instead of a 401 that would pop up the browser's Basic dialog.
 * Scripts, API calls and every other error are answered as the global filter does. Without a
 * login page configured (an embedding host), nothing changes.
 */
@Catch(CumulocityError)
export class LoginRedirectFilter implements ExceptionFilter {
  private readonly logger = new Logger(LoginRedirectFilter.name);

  catch(error: CumulocityError, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const loginPage: unknown = request.app?.get(LOGIN_PAGE_SETTING);
    if (error.status !== HttpStatus.UNAUTHORIZED || typeof loginPage !== 'string' || !wantsPage(request))
      return handleRequestError(error, request, response, this.logger);
    const base = requestBaseUrl(request);
    const prefix = new URL(base).pathname.replace(/\/$/, '');
    const returnTo = `${prefix}${request.originalUrl || request.url}`;
    response.setHeader('Cache-Control', 'no-store');
    response.redirect(302, `${base}${loginPage}?returnTo=${encodeURIComponent(returnTo)}`);
  }
}

function wantsPage(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  // Ties (`*/*`, no Accept at all) go to the first: scripts and fetches keep their 401.
  return request.accepts(['application/json', 'text/html']) === 'text/html';
}
