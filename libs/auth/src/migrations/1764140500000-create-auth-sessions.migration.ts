import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Browser and bearer-token sessions (see session.entity.ts). */
export class CreateAuthSessions1764140500000 implements MigrationInterface {
  name = 'CreateAuthSessions1764140500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth_sessions" (
        "id" uuid NOT NULL,
        "user_id" bigint NOT NULL,
        "credential" char(32) NOT NULL,
        "created" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_auth_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "fk_auth_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "ix_auth_sessions_user_id" ON "auth_sessions" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "ix_auth_sessions_expires_at" ON "auth_sessions" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_sessions"`);
  }
}
