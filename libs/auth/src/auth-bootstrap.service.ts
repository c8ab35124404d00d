import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { TenantsService } from './tenants.service';

/** On first start, creates the bootstrap tenant and its administrator (all roles). */
@Injectable()
export class AuthBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthBootstrapService.name);

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly tenants: TenantsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { tenant, user } = this.options.bootstrap;
    const result = await this.tenants.ensureBootstrap(() => randomBytes(15).toString('base64url'));
    if (!result.created) return;
    this.logger.log(`Created bootstrap tenant "${tenant}" with administrator "${user}"`);
    // Printed once, on the start that created the admin; it is stored only as a hash.
    if (result.password)
      this.logger.warn(
        `Generated password for ${tenant}/${user}: ${result.password} (shown only once; change it with PUT /user/currentUser/password)`,
      );
  }
}
