import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeLingering } from './close-lingering';
import { CumulocityError } from './cumulocity-error';
import { IncompleteBodyError } from './incomplete-body.error';
import { sendCumulocityError } from './send-error';
import { toCumulocityError } from './to-cumulocity-error';

/**
 * The one place errors become HTTP: every exception, ours or Nest's or a parser's, is answered with
 * Cumulocity's `{error, message, info}` body. Anything unexpected is logged with the request id and
 * answered with a generic 500 that carries the id, never the internal message.
 */
@Catch()
export class CumulocityExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(CumulocityExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    handleRequestError(
      exception,
      http.getRequest<IncomingMessage>(),
      http.getResponse<ServerResponse>(),
      this.logger,
    );
  }
}

export function handleRequestError(
  exception: unknown,
  request: IncomingMessage,
  response: ServerResponse,
  logger: Logger,
): void {
  const path = request.url ?? '/';
  let error = toCumulocityError(exception, path);
  if (error instanceof IncompleteBodyError)
    logger.debug(
      `Client went away during ${request.method} ${path} (request id ${request.requestId ?? 'unknown'})`,
    );
  if (!error) {
    logger.error(
      `Unexpected error on ${request.method} ${path} (request id ${request.requestId ?? 'unknown'})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    error = new CumulocityError(
      HttpStatus.INTERNAL_SERVER_ERROR,
      'general/Internal Server Error',
      `Unexpected server error (request id ${request.requestId ?? 'unknown'})`,
    );
  }
  // Answered before the body arrived (auth, roles, limits): read a bounded rest, then close.
  closeLingering(request, response);
  sendCumulocityError(response, error, request.requestId);
}
