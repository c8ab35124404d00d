import { RolesGuardModule } from '@depot/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthBootstrapService } from './auth-bootstrap.service';
import { ConfigurableAuthModule } from './auth.options';
import { AuthService } from './auth.service';
import { AuthTenantDirectoryModule } from './auth-tenant-directory';
import { AuthenticationGuard } from './authentication.guard';
import { CredentialsInvalidationService } from './credentials-invalidation.service';
import { LoginService } from './login.service';
import { LoginThrottleService } from './login-throttle.service';
import { OAuthController } from './oauth.controller';
import { PasswordHasher } from './password-hasher.service';
import { SessionsService } from './sessions.service';
import { SessionEntity } from './session.entity';
import { TenantEntity } from './tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Tenants, users, authentication (Basic, bearer tokens, cookie sessions) and Cumulocity's user,
 * tenant and login API. The composition root registers `AuthenticationGuard` globally, so it runs
 * before the roles guard this module brings.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TenantEntity, UserEntity, SessionEntity]),
    RolesGuardModule,
    AuthTenantDirectoryModule,
  ],
  controllers: [OAuthController, UsersController, TenantsController],
  providers: [
    AuthService,
    AuthenticationGuard,
    CredentialsInvalidationService,
    LoginService,
    LoginThrottleService,
    SessionsService,
    PasswordHasher,
    TenantsService,
    UsersService,
    AuthBootstrapService,
  ],
  exports: [AuthService, AuthenticationGuard, CredentialsInvalidationService, TenantsService, UsersService],
})
export class AuthModule extends ConfigurableAuthModule {}
