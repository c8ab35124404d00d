import { ManagedObjectEntity } from '@depot/inventory';
import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ApplicationEntity } from '../application.entity';

/**
 * One version of a HOSTED application (a package): a version string, the archive binary that holds
 * its files and its tags. The version is unique per application in the database; tags are unique
 * across the application's versions under the application's advisory lock (every change of versions
 * takes it), because a tag must also differ from every other version string.
 */
@Entity({ name: 'application_versions' })
@Index('uq_application_versions_version', ['applicationId', 'version'], { unique: true })
@Index('uq_application_versions_binary', ['binaryId'], { unique: true })
@Index('idx_application_versions_tenant', ['tenantId'])
export class ApplicationVersionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ name: 'application_id', type: 'bigint' })
  @ForeignKey(() => ApplicationEntity, { name: 'fk_application_versions_application', onDelete: 'CASCADE' })
  applicationId!: string;

  @Column({ type: 'text' })
  version!: string;

  /** The archive (managed object of type `c8y_applications_storage_<appId>`); the version goes with it. */
  @Column({ name: 'binary_id', type: 'bigint' })
  @ForeignKey(() => ManagedObjectEntity, { name: 'fk_application_versions_binary', onDelete: 'CASCADE' })
  binaryId!: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags!: string[];

  @Column({ name: 'creation_time', type: 'timestamptz' })
  creationTime!: Date;
}
