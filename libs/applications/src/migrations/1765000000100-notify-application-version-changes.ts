import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version or tag change (an `application_versions` row inserted, updated or deleted) changes what
 * `/apps/{contextPath}@{x}` serves without touching the `applications` row: it notifies
 * `depot_application_changes` too, with the application's id and context path, so every process
 * drops its cached answer.
 */
export class NotifyApplicationVersionChanges1765000000100 implements MigrationInterface {
  name = 'NotifyApplicationVersionChanges1765000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "notify_application_version_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.application_id ELSE NEW.application_id END;
      BEGIN
        PERFORM pg_notify('depot_application_changes',
          json_build_object('id', changed::text, 'contextPaths',
            json_build_array((SELECT context_path FROM applications WHERE id = changed)))::text);
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "trg_application_versions_notify_change"
        AFTER INSERT OR UPDATE OR DELETE ON "application_versions"
        FOR EACH ROW EXECUTE FUNCTION "notify_application_version_change"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER "trg_application_versions_notify_change" ON "application_versions"`,
    );
    await queryRunner.query(`DROP FUNCTION "notify_application_version_change"()`);
  }
}
