import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplicationSubscriptions1764160000100 implements MigrationInterface {
  name = 'CreateApplicationSubscriptions1764160000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "application_subscriptions" (
        "tenant_id" varchar(64) NOT NULL,
        "application_id" bigint NOT NULL,
        "creation_time" timestamptz NOT NULL DEFAULT now(),
        -- (tenant, application) is the key: the subscriber's list and the visibility check use it.
        CONSTRAINT "pk_application_subscriptions" PRIMARY KEY ("tenant_id", "application_id"),
        CONSTRAINT "fk_application_subscriptions_application" FOREIGN KEY ("application_id")
          REFERENCES "applications" ("id") ON DELETE CASCADE
      )`);
    // The `subscriber`/`providedFor` filters and the cascade look subscriptions up by application.
    await queryRunner.query(
      `CREATE INDEX "idx_application_subscriptions_application" ON "application_subscriptions" ("application_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "application_subscriptions"`);
  }
}
