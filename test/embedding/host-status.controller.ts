import { Controller, Get } from '@nestjs/common';
import { Public } from '@depot/common';

/**
 * The host's own routes. Depot's modules bring deny-by-default to the whole app: a host route
 * without `@Public`, `@Authenticated` or `@Roles` is refused like any of Depot's would be.
 */
@Controller('host')
export class HostStatusController {
  @Get('undecorated')
  undecorated(): { ok: true } {
    return { ok: true };
  }

  @Get('public')
  @Public()
  status(): { ok: true } {
    return { ok: true };
  }
}
