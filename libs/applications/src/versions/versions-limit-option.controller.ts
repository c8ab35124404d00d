import { Authenticated, MediaType, ResponseMediaType } from '@depot/common';
import { Controller, Get } from '@nestjs/common';
import { ApplicationVersionsService } from './application-versions.service';

/**
 * `GET /tenant/system/options/application/versions.limit`: the versions limit as a read-only
 * Cumulocity system option (the Web UI reads it before an upload). Set by `APPLICATION_VERSIONS_LIMIT`.
 */
@Controller('tenant/system/options')
export class VersionsLimitOptionController {
  constructor(private readonly versions: ApplicationVersionsService) {}

  @Get('application/versions.limit')
  @Authenticated()
  @ResponseMediaType(MediaType.option)
  read(): { category: string; key: string; value: string } {
    return { category: 'application', key: 'versions.limit', value: String(this.versions.limit) };
  }
}
