import { CreateManagedObjects1764150000000 } from './1764150000000-create-managed-objects';
import { IndexManagedObjectLists1764210000000 } from './1764210000000-index-managed-object-lists';

/** This library's migrations, in order; the server adds them to its migration list. */
export const INVENTORY_MIGRATIONS = [CreateManagedObjects1764150000000, IndexManagedObjectLists1764210000000];
export { CreateManagedObjects1764150000000, IndexManagedObjectLists1764210000000 };
