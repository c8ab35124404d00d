import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  configureHttpServer,
  LOGIN_PAGE_SETTING,
  PUBLIC_URL_SETTING,
  refuseNulInUrlMiddleware,
  requestIdMiddleware,
} from '@depot/common';
import { HostedAppFilesService, hostedFilesFastPath } from '@depot/applications';
import { AuthService } from '@depot/auth';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { loadDepotConfig } from './config/load-depot-config';
import { HttpMetrics } from './observability/http-metrics';
import { InFlightRequests } from './observability/in-flight-requests';
import { setupOpenApi } from './openapi/setup-open-api';

/** A request head may take this long in total, however steadily it trickles in. */
const HEADERS_TIMEOUT_MS = 60_000;

/**
 * Builds the Depot application from an environment (validated first; a `ConfigError` lists every
 * problem). Installs the request id and the URL checks (Nest's default parser is off so upload bodies
 * stream; `AppModule` parses JSON bodies in its interceptor), the server's timeouts and everything
 * Cumulocity clients expect. Does not listen.
 */
export async function createDepotApp(env: Record<string, string | undefined>): Promise<INestApplication> {
  const config = loadDepotConfig(env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    abortOnError: false,
    logger: config.logLevels,
    // Held until pino takes over, so start-up lines are JSON too.
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', config.trustProxy);
  app.set(PUBLIC_URL_SETTING, config.publicUrl);
  // The console's login page (libs/console); hosted-app pages opened without a session go there.
  app.set(LOGIN_PAGE_SETTING, '/console/login');
  app.disable('x-powered-by');
  configureHttpServer(app.getHttpServer(), {
    idleTimeoutMs: config.requestIdleTimeoutMs,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
  });
  app.use(requestIdMiddleware);
  app.use(app.get(InFlightRequests).middleware);
  app.use(app.get(HttpMetrics).middleware);
  app.use(refuseNulInUrlMiddleware);
  // Hosted files the controller would serve as they are, without the framework's per-request cost.
  const auth = app.get(AuthService);
  app.use(
    hostedFilesFastPath(app.get(HostedAppFilesService), (request) =>
      auth.cachedPrincipal(request.headers.authorization, request.ip),
    ),
  );
  setupOpenApi(app);
  return app;
}
