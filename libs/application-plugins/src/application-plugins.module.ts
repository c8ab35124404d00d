import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { ApplicationPluginsController } from './application-plugins.controller';
import { ConfigurableApplicationPluginsModule } from './application-plugins.options';
import { ApplicationVersioningService } from './application-versioning.service';

/**
 * Plugins and files of hosted applications: `ApplicationPluginsModule.forRoot({ maxArchiveSize })`.
 * Builds on the applications module (global by default), a `STORAGE_DRIVER` and the host's binaries.
 */
@Module({
  imports: [RolesGuardModule],
  controllers: [ApplicationPluginsController],
  providers: [ApplicationVersioningService],
  exports: [ApplicationVersioningService],
})
export class ApplicationPluginsModule extends ConfigurableApplicationPluginsModule {}
