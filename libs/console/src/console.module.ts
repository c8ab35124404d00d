import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';
import { ConsoleFilesService } from './console-files.service';
import { ConfigurableConsoleModule } from './console.options';

/**
 * The web console: `ConsoleModule.forRoot({ defaultTenant })` serves it at `/console/` and redirects
 * `/` there. A host that embeds Depot's modules may leave it out; the console needs only the REST API.
 */
@Module({
  imports: [RolesGuardModule],
  controllers: [ConsoleController],
  providers: [ConsoleFilesService],
})
export class ConsoleModule extends ConfigurableConsoleModule {}
