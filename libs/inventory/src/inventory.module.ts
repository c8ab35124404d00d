import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryService } from './inventory.service';
import { ManagedObjectOwners } from './managed-object-owners';
import { ManagedObjectEntity } from './managed-object.entity';
import { ManagedObjectsController } from './managed-objects.controller';

/**
 * Managed objects. Needs a TypeORM data source (the host's or Depot's) and a `STORAGE_DRIVER`
 * provider in scope (StorageModule, registered globally by the server).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ManagedObjectEntity]), RolesGuardModule],
  controllers: [ManagedObjectsController],
  providers: [InventoryService, ManagedObjectOwners],
  exports: [InventoryService, ManagedObjectOwners, TypeOrmModule],
})
export class InventoryModule {}
