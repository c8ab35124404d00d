import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed-login counters shared by every server process (see login-throttle.service.ts). */
export class CreateLoginFailures1764140000001 implements MigrationInterface {
  name = 'CreateLoginFailures1764140000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "login_failures" (
        "key" char(64) NOT NULL,
        "failures" integer NOT NULL,
        "window_ends" timestamptz NOT NULL,
        "locked_until" timestamptz,
        CONSTRAINT "pk_login_failures" PRIMARY KEY ("key")
      )`);
    await queryRunner.query(
      `CREATE INDEX "ix_login_failures_window_ends" ON "login_failures" ("window_ends")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_failures"`);
  }
}
