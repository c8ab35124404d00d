import type { LogLevel } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';

const PINO_LEVELS: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Credentials never reach the logs, whatever the level. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/**
 * nestjs-pino settings: JSON lines, one per request plus the app's own, each carrying the request
 * id the request-id middleware chose (also sent back as `X-Request-Id`). Probes are not logged.
 */
export function buildLoggerParams(logLevels: LogLevel[]): Params {
  const level = PINO_LEVELS[logLevels[logLevels.length - 1] ?? 'log'];
  return {
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (request: IncomingMessage) => request.requestId ?? randomUUID(),
      customAttributeKeys: { reqId: 'requestId' },
      // App logs inside a request get only the id, not the whole request again.
      quietReqLogger: true,
      autoLogging: { ignore: (request) => isProbe(request.url) },
      customLogLevel: (request: IncomingMessage, response: ServerResponse, error?: Error) =>
        requestLogLevel(response.statusCode, error, request.url),
    },
  };
}

/**
 * A failure of ours is an error; 503 (the password-hashing queue is full, the database is away) and
 * 507 (the store is full) are capacity answers the client is told to retry: a flood of them is a
 * warning, not thousands of error lines with stacks.
 */
export function requestLogLevel(
  status: number,
  error?: Error,
  url?: string,
): 'error' | 'warn' | 'info' | 'debug' {
  if (status === 503 || status === 507) return 'warn';
  if (error || status >= 500) return 'error';
  // Hosted files answered as asked are an access log of static assets (dozens per page load):
  // debug, like a web server's static-file log; their failures and every API call stay at info.
  if (status < 400 && url?.startsWith('/apps/')) return 'debug';
  return 'info';
}

function isProbe(url: string | undefined): boolean {
  return url === '/metrics' || url === '/health' || url?.startsWith('/health/') === true;
}
