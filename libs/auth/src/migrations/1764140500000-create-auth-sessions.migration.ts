import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser and bearer-token sessions (see session.entity.ts). A trigger ends a user's sessions when
 * the password changes or the user is disabled, whatever statement did it; deleting the user
 * cascades.
 */
export class CreateAuthSessions1764140500000 implements MigrationInterface {
  name = 'CreateAuthSessions1764140500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth_sessions" (
        "id" uuid NOT NULL,
        "user_id" bigint NOT NULL,
        "created" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_auth_sessions" PRIMARY KEY ("id"),
        CONSTRAINT "fk_auth_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "ix_auth_sessions_user_id" ON "auth_sessions" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "ix_auth_sessions_expires_at" ON "auth_sessions" ("expires_at")`);
    await queryRunner.query(`
      CREATE FUNCTION "auth_sessions_end_for_user"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM "auth_sessions" WHERE "user_id" = NEW."id";
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "tr_users_end_sessions" AFTER UPDATE OF "password_hash", "enabled" ON "users"
        FOR EACH ROW
        WHEN (NEW."password_hash" IS DISTINCT FROM OLD."password_hash" OR (OLD."enabled" AND NOT NEW."enabled"))
        EXECUTE FUNCTION "auth_sessions_end_for_user"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tr_users_end_sessions" ON "users"`);
    await queryRunner.query(`DROP FUNCTION "auth_sessions_end_for_user"()`);
    await queryRunner.query(`DROP TABLE "auth_sessions"`);
  }
}
