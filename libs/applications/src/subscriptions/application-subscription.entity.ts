import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ApplicationEntity } from '../application.entity';

/**
 * A tenant's subscription to an application (`/tenant/tenants/{tenant}/applications`). The subscriber
 * is a tenant id, not a foreign key: the tenants table belongs to whatever authenticates (Depot's
 * auth module or an embedding host). Deleting the application deletes its subscriptions.
 */
@Entity({ name: 'application_subscriptions' })
@Index('idx_application_subscriptions_application', ['applicationId'])
export class ApplicationSubscriptionEntity {
  @PrimaryColumn({
    name: 'tenant_id',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_application_subscriptions',
  })
  tenantId!: string;

  @PrimaryColumn({
    name: 'application_id',
    type: 'bigint',
    primaryKeyConstraintName: 'pk_application_subscriptions',
  })
  @ForeignKey(() => ApplicationEntity, {
    name: 'fk_application_subscriptions_application',
    onDelete: 'CASCADE',
  })
  applicationId!: string;

  @Column({ name: 'creation_time', type: 'timestamptz', default: () => 'now()' })
  creationTime!: Date;
}
