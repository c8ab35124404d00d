import { InventoryModule } from '@depot/inventory';
import { Module } from '@nestjs/common';
import { BinariesService } from './binaries.service';
import { BinarySweeperService } from './binary-sweeper.service';
import { BinaryUploadService } from './binary-upload.service';
import { InventoryBinariesController } from './inventory-binaries.controller';
import { ConfigurableInventoryBinariesModule } from './inventory-binaries.options';
import { TenantStorageController } from './tenant-storage.controller';
import { TenantStorageService } from './tenant-storage.service';

/**
 * `/inventory/binaries`, the `BinariesService` other modules store their files with, and the
 * tenants' storage quotas (`/tenant/tenants/{id}/storage`).
 * `InventoryBinariesModule.forRoot({ maxBinarySize })` (or `forRootAsync`); needs a TypeORM data
 * source that ran `INVENTORY_MIGRATIONS` and `INVENTORY_BINARIES_MIGRATIONS`, and a
 * `STORAGE_DRIVER` in scope.
 */
@Module({
  imports: [InventoryModule],
  controllers: [InventoryBinariesController, TenantStorageController],
  providers: [BinariesService, BinaryUploadService, BinarySweeperService, TenantStorageService],
  exports: [BinariesService, InventoryModule],
})
export class InventoryBinariesModule extends ConfigurableInventoryBinariesModule {}
