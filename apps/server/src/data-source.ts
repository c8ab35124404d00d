import {
  ApplicationEntity,
  ApplicationSubscriptionEntity,
  ApplicationVersionEntity,
} from '@depot/applications';
import { SessionEntity, TenantEntity, UserEntity } from '@depot/auth';
import { ManagedObjectEntity } from '@depot/inventory';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DEPOT_MIGRATIONS } from './depot-migrations';

/** Every library's entities: what the running server registers through `TypeOrmModule.forFeature`. */
export const DEPOT_ENTITIES = [
  TenantEntity,
  UserEntity,
  SessionEntity,
  ManagedObjectEntity,
  ApplicationEntity,
  ApplicationSubscriptionEntity,
  ApplicationVersionEntity,
];

/**
 * Depot's schema for the TypeORM CLI only (the server builds its data source in DatabaseModule).
 * On a database the existing migrations ran on, `migration:generate` writes the next migration:
 *
 *   DATABASE_URL=postgres://... node -r @swc-node/register node_modules/typeorm/cli.js \
 *     migration:run -d apps/server/src/data-source.ts
 *   DATABASE_URL=postgres://... node -r @swc-node/register node_modules/typeorm/cli.js \
 *     migration:generate -d apps/server/src/data-source.ts libs/<library>/src/migrations/<name>
 *
 * then add the class to that library's migrations list.
 */
export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: DEPOT_ENTITIES,
  migrations: DEPOT_MIGRATIONS,
});
