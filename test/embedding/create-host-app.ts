import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createJsonBodyMiddleware } from '@depot/common';
import { HostAppModule, type HostSettings } from './host-app.module';

/**
 * Boots the example host. Nest's own body parser stays off so binary uploads stream; Depot's JSON
 * parser handles the JSON bodies (and leaves raw `PUT /inventory/binaries/{id}` content alone).
 */
export async function createHostApp(settings: HostSettings): Promise<INestApplication> {
  const app = await NestFactory.create(HostAppModule.forRoot(settings), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.use(createJsonBodyMiddleware(1024 * 1024));
  return app;
}
