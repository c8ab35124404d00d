import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationEntity } from './application.entity';
import { ApplicationArchivesService } from './application-archives.service';
import { ApplicationsService } from './applications.service';
import { ConfigurableApplicationsModule } from './applications.options';

/**
 * Hosted and external applications, their archives (versions) and serving under `/apps`.
 * `ApplicationsModule.forRoot({ ...limits, extractionCacheDir, binaries })` (or `forRootAsync`); needs
 * a TypeORM data source, a `STORAGE_DRIVER` and the `BinariesService` of `binaries` in scope.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApplicationEntity])],
  providers: [ApplicationsService, ApplicationArchivesService],
  exports: [ApplicationsService, ApplicationArchivesService],
})
export class ApplicationsModule extends ConfigurableApplicationsModule {}
