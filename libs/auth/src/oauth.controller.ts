import { Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  Authenticated,
  CumulocityError,
  Public,
  readFormBody,
  requestBaseUrl,
  singleQueryValue,
  StreamedBody,
} from '@depot/common';
import type { Request, Response } from 'express';
import { clientAddress } from './authentication.guard';
import { LoginService, type LoginForm } from './login.service';
import { clearSessionCookies, setSessionCookies } from './session-cookies';
import type { IssuedSession } from './sessions.service';

/** Login forms are a few hundred bytes; anything much larger is not one. */
const MAX_FORM_BYTES = 8 * 1024;

/**
 * Cumulocity's OAuth-internal login, as `Client.authenticateViaOAuthInternal(Cookie)` of @c8y/client
 * and its web applications use it: a bearer token, or a browser session in cookies; and logout.
 */
@Controller()
export class OAuthController {
  constructor(private readonly logins: LoginService) {}

  /** `{access_token}` for `Authorization: Bearer`. Always JSON (the client sends no Accept). */
  @Post('tenant/oauth/token')
  @Public()
  @StreamedBody()
  async token(@Req() request: Request, @Res() response: Response): Promise<void> {
    const session = await this.login(request, response);
    response.status(200).json({
      access_token: session.token,
      token_type: 'Bearer',
      expires_in: session.claims.exp - session.claims.iat,
    });
  }

  /** The session in cookies: `authorization` (HttpOnly) first, then the script-readable `XSRF-TOKEN`. */
  @Post('tenant/oauth')
  @Public()
  @StreamedBody()
  @HttpCode(200)
  async cookie(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const session = await this.login(request, response);
    setSessionCookies(response, session, cameOverHttps(request));
  }

  /** Ends the request's session (bearer or cookie) everywhere and clears the cookies. */
  @Post('user/logout')
  @Authenticated()
  @HttpCode(200)
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.logins.logout(request.authSession);
    clearSessionCookies(response, cameOverHttps(request));
  }

  private async login(request: Request, response: Response): Promise<IssuedSession> {
    const form: LoginForm = await readFormBody(request, response, MAX_FORM_BYTES, 'security');
    const tenantId = singleQueryValue(request.query, 'tenant_id', 'security');
    try {
      return await this.logins.login(form, tenantId, clientAddress(request));
    } catch (error) {
      // A refused form login carries no Basic challenge: a browser would put its password dialog
      // over the login page (and a headless one waits on it for ever).
      if (error instanceof CumulocityError && error.status === HttpStatus.UNAUTHORIZED)
        throw new CumulocityError(error.status, error.error, error.message);
      throw error;
    }
  }
}

/**
 * Cookies get `Secure` when the client reached us over HTTPS: TLS here, `X-Forwarded-Proto: https`
 * from a proxy TRUST_PROXY trusts, or an https PUBLIC_URL (a TLS-terminating proxy in front).
 */
function cameOverHttps(request: Request): boolean {
  return requestBaseUrl(request).startsWith('https:');
}
