import { InventoryModule } from '@depot/inventory';
import { Module } from '@nestjs/common';
import { BinariesService } from './binaries.service';
import { BinarySweeperService } from './binary-sweeper.service';
import { BinaryUploadService } from './binary-upload.service';
import { InventoryBinariesController } from './inventory-binaries.controller';
import { ConfigurableInventoryBinariesModule } from './inventory-binaries.options';

/**
 * `/inventory/binaries` and the `BinariesService` other modules store their files with.
 * `InventoryBinariesModule.forRoot({ maxBinarySize })` (or `forRootAsync`); needs a TypeORM data
 * source and a `STORAGE_DRIVER` in scope.
 */
@Module({
  imports: [InventoryModule],
  controllers: [InventoryBinariesController],
  providers: [BinariesService, BinaryUploadService, BinarySweeperService],
  exports: [BinariesService, InventoryModule],
})
export class InventoryBinariesModule extends ConfigurableInventoryBinariesModule {}
