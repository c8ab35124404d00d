import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What the object's own JSON may carry beyond the modelled columns (`c8y_*` and custom fragments). */
export type Fragments = Record<string, unknown>;

/**
 * A managed object, modelled as far as binaries need it. An object with a `storageKey` is a binary:
 * its bytes live in the storage driver under that key; `length`, `md5`, `sha256` describe them and
 * `revpos` counts content revisions (1 on upload, +1 per replace).
 */
@Entity({ name: 'managed_objects' })
// Lists filter by tenant (and type or owner) and page by id: see the index-managed-object-lists migration.
@Index('idx_managed_objects_tenant_id', ['tenantId', 'id'])
@Index('idx_managed_objects_tenant_type_id', ['tenantId', 'type', 'id'])
@Index('idx_managed_objects_tenant_owner_id', ['tenantId', 'owner', 'id'])
// GIN (jsonb_ops) for `?` and `@>` on fragments; TypeORM cannot describe the method, so it is not synced.
@Index('idx_managed_objects_fragments', { synchronize: false })
// The sweeper asks "does any row reference this key?" for every stored object.
@Index('uq_managed_objects_storage_key', ['storageKey'], { unique: true })
export class ManagedObjectEntity {
  /** `bigint` arrives from `pg` as a string; ids are strings on the wire anyway. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 255 })
  owner!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  type!: string | null;

  // PostgreSQL reports the default without its cast; written the same way so schema diffs agree.
  @Column({ type: 'jsonb', default: () => `'{}'` })
  fragments!: Fragments;

  @Column({ name: 'creation_time', type: 'timestamptz' })
  creationTime!: Date;

  @Column({ name: 'last_updated', type: 'timestamptz' })
  lastUpdated!: Date;

  @Column({ name: 'storage_key', type: 'varchar', length: 512, nullable: true })
  storageKey!: string | null;

  /** Bytes; `bigint` so files over 2 GiB fit, mapped to a number (safe up to 8 PiB). */
  @Column({
    type: 'bigint',
    nullable: true,
    transformer: {
      to: (value: number | null | undefined) => value,
      from: (value: string | null) => (value === null ? null : Number(value)),
    },
  })
  length!: number | null;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType!: string | null;

  /** Hex. */
  @Column({ type: 'char', length: 32, nullable: true })
  md5!: string | null;

  /** Hex. */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ type: 'integer', nullable: true })
  revpos!: number | null;
}
