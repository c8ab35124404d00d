import type { MixedList } from 'typeorm';

/** Options of `DatabaseModule.forRoot`. */
export interface DatabaseModuleOptions {
  /** External PostgreSQL (`postgres://...`). Unset: start the embedded cluster in `embeddedDir`. */
  databaseUrl?: string;
  /** Cluster directory for the embedded PostgreSQL (`DATA_DIR/postgres`). */
  embeddedDir: string;
  /** Every library's migrations, run at start-up under an advisory lock. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Connection pool size per process. */
  poolSize?: number;
}

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');
