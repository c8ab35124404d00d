import { CreateTenantsAndUsers1764140000000 } from './migrations/1764140000000-create-tenants-and-users.migration';
import { CreateLoginFailures1764140000001 } from './migrations/1764140000001-create-login-failures.migration';
import { AddUserPhone1764140000050 } from './migrations/1764140000050-add-user-phone.migration';
import { CreateAuthSessions1764140500000 } from './migrations/1764140500000-create-auth-sessions.migration';

export * from './auth.options';
export * from './auth.module';
export * from './auth.service';
export * from './authentication.guard';
export * from './credentials-invalidation.service';
export * from './tenant.entity';
export * from './user.entity';
export * from './session.entity';
export { resolveSessionSecret, MIN_SESSION_SECRET_LENGTH } from './session-secret';
export * from './tenants.service';
export * from './users.service';
export * from './parse-basic-auth';
export { TENANT_ID } from './tenant.dto';
export { MIN_PASSWORD_LENGTH } from './user.dto';
export * from './password-hasher.service';

export const AUTH_MIGRATIONS = [
  CreateTenantsAndUsers1764140000000,
  CreateLoginFailures1764140000001,
  AddUserPhone1764140000050,
  CreateAuthSessions1764140500000,
];
