import { TenantDirectory } from '@depot/common';
import { Global, Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TenantEntity } from './tenant.entity';
import { UserEntity } from './user.entity';

/** {@link TenantDirectory} over Depot's own tenants and users. */
@Injectable()
export class AuthTenantDirectory extends TenantDirectory {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {
    super();
  }

  tenantExists(tenantId: string): Promise<boolean> {
    // TypeORM drops undefined where keys: an empty id must not match any tenant.
    if (!tenantId) return Promise.resolve(false);
    return this.tenants.exists({ where: { id: tenantId } });
  }

  isActiveUser(tenantId: string, userName: string): Promise<boolean> {
    if (!tenantId || !userName) return Promise.resolve(false);
    return this.users.exists({ where: { tenantId, userName, enabled: true } });
  }
}

/** Global, so the applications module can inject the directory without importing the auth module. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity, UserEntity])],
  providers: [{ provide: TenantDirectory, useClass: AuthTenantDirectory }],
  exports: [TenantDirectory],
})
export class AuthTenantDirectoryModule {}
