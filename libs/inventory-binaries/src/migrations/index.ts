import { CreateTenantStorage1764170000000 } from './1764170000000-create-tenant-storage';

/** This library's migrations, in order, after `INVENTORY_MIGRATIONS` (they count managed objects). */
export const INVENTORY_BINARIES_MIGRATIONS = [CreateTenantStorage1764170000000];
export { CreateTenantStorage1764170000000 };
