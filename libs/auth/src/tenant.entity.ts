import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tenant: the unit of isolation. Its id (`management`, `t12345678`) prefixes Basic logins. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_tenants' })
  id!: string;

  @Column({ type: 'varchar', length: 256 })
  company!: string;

  @Index('uq_tenants_domain', { unique: true })
  @Column({ type: 'varchar', length: 256 })
  domain!: string;

  @Column({ name: 'admin_name', type: 'varchar', length: 1000 })
  adminName!: string;

  @Column({ name: 'admin_email', type: 'varchar', length: 256, nullable: true })
  adminEmail!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status!: string;

  @CreateDateColumn({ name: 'created', type: 'timestamptz' })
  created!: Date;
}
