import { ArchiveWorkLimiter } from '@depot/archive';
import { InventoryModule } from '@depot/inventory';
import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationArchiveOwner } from './application-archive-owner';
import { ApplicationEntity } from './application.entity';
import { ApplicationArchivesController } from './application-archives.controller';
import { ApplicationArchivesService } from './application-archives.service';
import { ApplicationsController } from './applications.controller';
import { ConfigurableApplicationsModule } from './applications.options';
import { ApplicationsService } from './applications.service';
import { HostedAppFilesService } from './serving/hosted-app-files.service';
import { HostedAppsController } from './serving/hosted-apps.controller';
import { ApplicationSubscriptionEntity } from './subscriptions/application-subscription.entity';
import { ApplicationSubscriptionsService } from './subscriptions/application-subscriptions.service';
import { TenantApplicationsController } from './subscriptions/tenant-applications.controller';
import { ApplicationCloneController } from './versions/application-clone.controller';
import { ApplicationCloneService } from './versions/application-clone.service';
import { ApplicationVersionEntity } from './versions/application-version.entity';
import { ApplicationVersionsController } from './versions/application-versions.controller';
import { ApplicationVersionsService } from './versions/application-versions.service';
import { VersionsLimitOptionController } from './versions/versions-limit-option.controller';

/**
 * Hosted and external applications, their archives (versions) and serving under `/apps`.
 * `ApplicationsModule.forRoot({ ...limits, extractionCacheDir })` (or `forRootAsync`); needs a TypeORM
 * data source, a `STORAGE_DRIVER` and `InventoryBinariesModule.forRoot(...)` (global) in the app.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApplicationEntity, ApplicationSubscriptionEntity, ApplicationVersionEntity]),
    InventoryModule,
    RolesGuardModule,
  ],
  controllers: [
    ApplicationsController,
    ApplicationArchivesController,
    ApplicationVersionsController,
    ApplicationCloneController,
    VersionsLimitOptionController,
    HostedAppsController,
    TenantApplicationsController,
  ],
  providers: [
    ApplicationsService,
    ApplicationArchivesService,
    ApplicationSubscriptionsService,
    HostedAppFilesService,
    ApplicationVersionsService,
    ApplicationCloneService,
    ApplicationArchiveOwner,
    // One per process: every module doing archive work in memory shares its slots.
    { provide: ArchiveWorkLimiter, useFactory: () => new ArchiveWorkLimiter() },
  ],
  exports: [ApplicationsService, ApplicationArchivesService, ApplicationVersionsService, ArchiveWorkLimiter],
})
export class ApplicationsModule extends ConfigurableApplicationsModule {}
