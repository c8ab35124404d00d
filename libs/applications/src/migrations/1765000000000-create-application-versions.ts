import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplicationVersions1765000000000 implements MigrationInterface {
  name = 'CreateApplicationVersions1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "application_versions" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "tenant_id" varchar(64) NOT NULL,
        "application_id" bigint NOT NULL,
        "version" text NOT NULL,
        "binary_id" bigint NOT NULL,
        "tags" text array NOT NULL DEFAULT '{}',
        "creation_time" timestamptz NOT NULL,
        CONSTRAINT "pk_application_versions" PRIMARY KEY ("id"),
        CONSTRAINT "fk_application_versions_application" FOREIGN KEY ("application_id")
          REFERENCES "applications" ("id") ON DELETE CASCADE,
        -- A version is its archive: when the archive row goes, so does the version.
        CONSTRAINT "fk_application_versions_binary" FOREIGN KEY ("binary_id")
          REFERENCES "managed_objects" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_application_versions_version" ON "application_versions" ("application_id", "version")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_application_versions_binary" ON "application_versions" ("binary_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_application_versions_tenant" ON "application_versions" ("tenant_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "application_versions"`);
  }
}
