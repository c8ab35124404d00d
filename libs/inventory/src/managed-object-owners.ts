import { Injectable } from '@nestjs/common';
import type { ManagedObjectEntity } from './managed-object.entity';

/** What an inventory route is about to do to an existing managed object. */
export type InventoryChange = 'update' | 'replace' | 'delete';

/**
 * A module that owns some managed objects (applications own their archives) and creates, changes
 * and deletes them only through its own API, with its own rules. The inventory routes ask every
 * registered owner first; the owner's own calls into the inventory services are not asked.
 */
export interface ManagedObjectOwner {
  /** Throws when an inventory route must not give an object `type` (upload, type change). */
  assertTypeAllowed(type: string): void;
  /** Throws (typically a 409) when an inventory route must not do `change` to `object`. */
  assertChangeAllowed(object: ManagedObjectEntity, change: InventoryChange): void;
}

/**
 * The owners registered in this app (a module registers its owner at init). With none, the
 * inventory routes may do anything their roles allow.
 */
@Injectable()
export class ManagedObjectOwners {
  private readonly owners: ManagedObjectOwner[] = [];

  register(owner: ManagedObjectOwner): void {
    this.owners.push(owner);
  }

  assertTypeAllowed(type: string | null | undefined): void {
    if (typeof type !== 'string') return;
    for (const owner of this.owners) owner.assertTypeAllowed(type);
  }

  assertChangeAllowed(object: ManagedObjectEntity, change: InventoryChange): void {
    for (const owner of this.owners) owner.assertChangeAllowed(object, change);
  }
}
