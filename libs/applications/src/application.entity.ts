import { ManagedObjectEntity } from '@depot/inventory';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ApplicationVersionEntity } from './versions/application-version.entity';

export enum ApplicationType {
  Hosted = 'HOSTED',
  External = 'EXTERNAL',
  Microservice = 'MICROSERVICE',
}

/**
 * A Cumulocity application of one tenant. HOSTED applications keep their content as archive
 * binaries (managed objects of type `c8y_applications_storage_<id>`); `activeVersionId` names the one
 * that is served. Client fields without a column (`description`, `config`, `breadcrumbs`, ...) live
 * in `extra` and are written back as sent.
 */
@Entity({ name: 'applications' })
@Index('uq_applications_tenant_name', ['tenantId', 'name'], { unique: true })
@Index('uq_applications_tenant_key', ['tenantId', 'key'], { unique: true })
@Index('uq_applications_tenant_context_path', ['tenantId', 'contextPath'], { unique: true })
@Index('idx_applications_active_version', ['activeVersionId'])
export class ApplicationEntity {
  /** `bigint` arrives from `pg` as a string; ids are strings on the wire anyway. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: ApplicationType;

  @Column({ type: 'varchar', length: 32, default: 'PRIVATE' })
  availability!: string;

  @Column({ name: 'context_path', type: 'text', nullable: true })
  contextPath!: string | null;

  /** The owning tenant's id (`owner.tenant.id` on the wire). */
  @Column({ type: 'varchar', length: 64 })
  owner!: string;

  @Column({ name: 'external_url', type: 'text', nullable: true })
  externalUrl!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  manifest!: Record<string, unknown> | null;

  /** The active archive's managed-object id; cleared if that object disappears. */
  @Column({ name: 'active_version_id', type: 'bigint', nullable: true })
  @ForeignKey(() => ManagedObjectEntity, { name: 'fk_applications_active_version', onDelete: 'SET NULL' })
  activeVersionId!: string | null;

  // PostgreSQL reports the default without its cast; written the same way so schema diffs agree.
  @Column({ type: 'jsonb', default: () => `'{}'` })
  extra!: Record<string, unknown>;

  @Column({ name: 'creation_time', type: 'timestamptz' })
  creationTime!: Date;

  @Column({ name: 'last_updated', type: 'timestamptz' })
  lastUpdated!: Date;

  /** Not a column: the versions, oldest first, when the service loaded them (`applicationVersions`). */
  versions?: ApplicationVersionEntity[];
}
