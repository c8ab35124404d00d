import { APPLICATIONS_MIGRATIONS } from '@depot/applications';
import { AUTH_MIGRATIONS } from '@depot/auth';
import { INVENTORY_MIGRATIONS } from '@depot/inventory';
import { INVENTORY_BINARIES_MIGRATIONS } from '@depot/inventory-binaries';
// Every library's migrations, in dependency order. Add your library's list here (one line).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const DEPOT_MIGRATIONS: Function[] = [
  ...AUTH_MIGRATIONS,
  ...INVENTORY_MIGRATIONS,
  ...INVENTORY_BINARIES_MIGRATIONS,
  ...APPLICATIONS_MIGRATIONS,
];
