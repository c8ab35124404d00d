import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateManagedObjects1764150000000 implements MigrationInterface {
  name = 'CreateManagedObjects1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "managed_objects" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "tenant_id" varchar(64) NOT NULL,
        "owner" varchar(255) NOT NULL,
        "name" text,
        "type" text,
        "fragments" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "creation_time" timestamptz NOT NULL,
        "last_updated" timestamptz NOT NULL,
        "storage_key" varchar(512),
        "length" bigint,
        "content_type" text,
        "md5" char(32),
        "sha256" char(64),
        "revpos" integer,
        CONSTRAINT "pk_managed_objects" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_type" ON "managed_objects" ("tenant_id", "type")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_owner" ON "managed_objects" ("tenant_id", "owner")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_managed_objects_storage_key" ON "managed_objects" ("storage_key")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "managed_objects"`);
  }
}
