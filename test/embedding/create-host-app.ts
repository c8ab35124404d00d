import type { INestApplication } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { JsonBodyInterceptor, refuseNulInUrlMiddleware } from '@depot/common';
import { HostAppModule, type HostSettings } from './host-app.module';

/**
 * Boots the example host. Nest's own body parser stays off so binary uploads stream; Depot's JSON
 * body interceptor parses JSON bodies (and leaves `@StreamedBody()` routes such as
 * `PUT /inventory/binaries/{id}` alone), Depot's URL check refuses U+0000.
 */
export async function createHostApp(settings: HostSettings): Promise<INestApplication> {
  const app = await NestFactory.create(HostAppModule.forRoot(settings), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.use(refuseNulInUrlMiddleware);
  app.useGlobalInterceptors(new JsonBodyInterceptor(app.get(Reflector), 1024 * 1024));
  return app;
}
