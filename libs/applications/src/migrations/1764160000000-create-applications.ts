import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplications1764160000000 implements MigrationInterface {
  name = 'CreateApplications1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "applications" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "tenant_id" varchar(64) NOT NULL,
        "name" text NOT NULL,
        "key" text NOT NULL,
        "type" varchar(32) NOT NULL,
        "availability" varchar(32) NOT NULL DEFAULT 'PRIVATE',
        "context_path" text,
        "owner" varchar(64) NOT NULL,
        "external_url" text,
        "manifest" jsonb,
        "active_version_id" bigint,
        "extra" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "creation_time" timestamptz NOT NULL,
        "last_updated" timestamptz NOT NULL,
        CONSTRAINT "pk_applications" PRIMARY KEY ("id"),
        -- Should the active archive's row go anyway, the application is deactivated instead of
        -- pointing at nothing (the inventory routes refuse to delete archives).
        CONSTRAINT "fk_applications_active_version" FOREIGN KEY ("active_version_id")
          REFERENCES "managed_objects" ("id") ON DELETE SET NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_applications_tenant_name" ON "applications" ("tenant_id", "name")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_applications_tenant_key" ON "applications" ("tenant_id", "key")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_applications_tenant_context_path" ON "applications" ("tenant_id", "context_path")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_applications_active_version" ON "applications" ("active_version_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "applications"`);
  }
}
