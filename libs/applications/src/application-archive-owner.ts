import { CumulocityError } from '@depot/common';
import {
  ManagedObjectOwners,
  type InventoryChange,
  type ManagedObjectEntity,
  type ManagedObjectOwner,
} from '@depot/inventory';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { isApplicationArchiveType } from './archive-type';

/**
 * Archives belong to their application: they are created (validated), activated and deleted only
 * through the application API. Plugin changes build on the active archive trusting that it was
 * validated, and deleting the active one would leave the application serving nothing; so the
 * inventory routes may not create, retype, replace, edit or delete one, whoever asks.
 */
@Injectable()
export class ApplicationArchiveOwner implements ManagedObjectOwner, OnModuleInit {
  constructor(private readonly owners: ManagedObjectOwners) {}

  onModuleInit(): void {
    this.owners.register(this);
  }

  assertTypeAllowed(type: string): void {
    if (isApplicationArchiveType(type))
      throw CumulocityError.invalidData(
        'inventory',
        `The type "${type}" is reserved for application archives; upload them through /application/applications/{id}/binaries`,
      );
  }

  assertChangeAllowed(object: ManagedObjectEntity, change: InventoryChange): void {
    if (!isApplicationArchiveType(object.type)) return;
    throw CumulocityError.conflict(
      'inventory',
      change === 'delete'
        ? `Managed object ${object.id} is an application archive; delete it through the application API`
        : `Managed object ${object.id} is an application archive and cannot be changed; upload a new one through the application API`,
    );
  }
}
