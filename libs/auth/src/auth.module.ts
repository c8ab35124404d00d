import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthBootstrapService } from './auth-bootstrap.service';
import { ConfigurableAuthModule } from './auth.options';
import { AuthService } from './auth.service';
import { AuthTenantDirectoryModule } from './auth-tenant-directory';
import { BasicAuthGuard } from './basic-auth.guard';
import { CredentialsInvalidationService } from './credentials-invalidation.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordHasher } from './password-hasher.service';
import { TenantEntity } from './tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Tenants, users, Basic authentication and Cumulocity's user/tenant API. The composition root
 * registers `BasicAuthGuard` globally, so it runs before the roles guard this module brings.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TenantEntity, UserEntity]),
    RolesGuardModule,
    AuthTenantDirectoryModule,
  ],
  controllers: [UsersController, TenantsController],
  providers: [
    AuthService,
    BasicAuthGuard,
    CredentialsInvalidationService,
    LoginThrottleService,
    PasswordHasher,
    TenantsService,
    UsersService,
    AuthBootstrapService,
  ],
  exports: [AuthService, BasicAuthGuard, CredentialsInvalidationService, TenantsService, UsersService],
})
export class AuthModule extends ConfigurableAuthModule {}
