import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@depot/common';
import { TenantEntity } from './tenant.entity';

/** A user of one tenant. `userName` is unique per tenant and is the user's `id` in the API. */
@Entity({ name: 'users' })
@Index('uq_users_tenant_user_name', ['tenantId', 'userName'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_users' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 32 })
  @ForeignKey(() => TenantEntity, { name: 'fk_users_tenant', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'user_name', type: 'varchar', length: 1000 })
  userName!: string;

  /** `scrypt$N$r$p$salt$hash` (see password-hasher.service.ts). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  email!: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 256, nullable: true })
  firstName!: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 256, nullable: true })
  lastName!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  phone!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Global roles granted directly (Depot has no groups). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: Role[];

  @CreateDateColumn({ name: 'created', type: 'timestamptz' })
  created!: Date;

  @Column({ name: 'last_password_change', type: 'timestamptz', default: () => 'now()' })
  lastPasswordChange!: Date;
}
