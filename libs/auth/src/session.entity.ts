import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A login by `POST /tenant/oauth[/token]`: the session a token names (`sid`). Logout deletes it; a
 * deleted user takes its sessions along (cascade), and a trigger on `users` deletes them when the
 * password changes or the user is disabled (see the migration).
 */
@Entity({ name: 'auth_sessions' })
@Index('ix_auth_sessions_user_id', ['userId'])
@Index('ix_auth_sessions_expires_at', ['expiresAt'])
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_auth_sessions' })
  id!: string;

  @Column({ name: 'user_id', type: 'bigint' })
  @ForeignKey(() => UserEntity, { name: 'fk_auth_sessions_user', onDelete: 'CASCADE' })
  userId!: string;

  @CreateDateColumn({ name: 'created', type: 'timestamptz' })
  created!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
