import { ArchiveWorkLimiter } from '@depot/archive';
import { InventoryModule } from '@depot/inventory';
import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationArchiveOwner } from './application-archive-owner';
import { ApplicationChangeFeed } from './application-change-feed';
import { ApplicationEntity } from './application.entity';
import { ApplicationArchivesController } from './application-archives.controller';
import { ApplicationArchivesService } from './application-archives.service';
import { ApplicationsController } from './applications.controller';
import { ConfigurableApplicationsModule } from './applications.options';
import { ApplicationsService } from './applications.service';
import { HostedAppFilesService } from './serving/hosted-app-files.service';
import { HostedAppsController } from './serving/hosted-apps.controller';

/**
 * Hosted and external applications, their archives (versions) and serving under `/apps`.
 * `ApplicationsModule.forRoot({ ...limits, extractionCacheDir })` (or `forRootAsync`); needs a TypeORM
 * data source, a `STORAGE_DRIVER` and `InventoryBinariesModule.forRoot(...)` (global) in the app.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApplicationEntity]), InventoryModule, RolesGuardModule],
  controllers: [ApplicationsController, ApplicationArchivesController, HostedAppsController],
  providers: [
    ApplicationsService,
    ApplicationArchivesService,
    ApplicationChangeFeed,
    HostedAppFilesService,
    ApplicationArchiveOwner,
    // One per process: every module doing archive work in memory shares its slots.
    { provide: ArchiveWorkLimiter, useFactory: () => new ArchiveWorkLimiter() },
  ],
  exports: [ApplicationsService, ApplicationArchivesService, ApplicationChangeFeed, ArchiveWorkLimiter],
})
export class ApplicationsModule extends ConfigurableApplicationsModule {}
