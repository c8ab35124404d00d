import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A login by `POST /tenant/oauth[/token]`: the session a token names (`sid`). Logout deletes it; a
 * deleted user takes its sessions along; a password change ends them because `credential` (a digest
 * of the password hash the login was checked against) no longer matches the user's.
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

  /** `md5(users.password_hash)` at login: not a secret, only a change detector. */
  @Column({ type: 'char', length: 32 })
  credential!: string;

  @CreateDateColumn({ name: 'created', type: 'timestamptz' })
  created!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
