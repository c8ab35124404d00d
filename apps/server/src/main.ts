import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEPOT_CONFIG, type DepotConfig } from './config/depot-config';
import { ConfigError } from './config/load-depot-config';
import { createDepotApp } from './create-depot-app';

async function main(): Promise<void> {
  const logger = new Logger('Depot');
  try {
    const app = await createDepotApp(process.env);
    // SIGTERM drains HTTP (GracefulShutdown), closes the database and storage, then exits 0.
    app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    const config = app.get<DepotConfig>(DEPOT_CONFIG);
    await app.listen(config.port, config.host);
    const address = (app.getHttpServer() as Server).address() as AddressInfo;
    logger.log(`Depot listening on http://${address.address}:${address.port}`);
  } catch (error) {
    // Start-up lines are buffered until pino takes over; a failure while the modules are built
    // comes before that, and exiting would drop them and the error with them.
    Logger.flush();
    logger.error(
      error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error),
    );
    process.exit(1);
  }
}

void main();
