import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for filtered and ordered lists (issue 13): a list is `tenant_id = ?`, maybe `type = ?` or
 * `owner = ?`, ordered by `id` and cut to a page, so (tenant_id, <filter>, id) lets PostgreSQL read
 * the page in order and stop instead of sorting the tenant. The GIN index serves `fragmentType`,
 * `has()` (`?`) and exact fragment values (`@>`). `name` has none: a name may be longer than a
 * B-tree entry can hold.
 */
export class IndexManagedObjectLists1764210000000 implements MigrationInterface {
  name = 'IndexManagedObjectLists1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_managed_objects_tenant_type"`);
    await queryRunner.query(`DROP INDEX "idx_managed_objects_tenant_owner"`);
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_id" ON "managed_objects" ("tenant_id", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_type_id" ON "managed_objects" ("tenant_id", "type", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_owner_id" ON "managed_objects" ("tenant_id", "owner", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_fragments" ON "managed_objects" USING gin ("fragments")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_managed_objects_fragments"`);
    await queryRunner.query(`DROP INDEX "idx_managed_objects_tenant_owner_id"`);
    await queryRunner.query(`DROP INDEX "idx_managed_objects_tenant_type_id"`);
    await queryRunner.query(`DROP INDEX "idx_managed_objects_tenant_id"`);
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_owner" ON "managed_objects" ("tenant_id", "owner")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_managed_objects_tenant_type" ON "managed_objects" ("tenant_id", "type")`,
    );
  }
}
