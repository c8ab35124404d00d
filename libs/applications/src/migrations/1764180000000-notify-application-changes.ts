import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change of an `applications` row (inserts, updates, deletes, and the foreign key's
 * `SET NULL` of a deleted active archive) notifies `depot_application_changes` with the row's id and
 * its context path before and after, so each server process drops what it cached about serving it.
 */
export class NotifyApplicationChanges1764180000000 implements MigrationInterface {
  name = 'NotifyApplicationChanges1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "notify_application_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM pg_notify('depot_application_changes',
            json_build_object('id', NEW.id::text, 'contextPaths', json_build_array(NEW.context_path))::text);
        ELSIF TG_OP = 'UPDATE' THEN
          PERFORM pg_notify('depot_application_changes',
            json_build_object('id', NEW.id::text,
              'contextPaths', json_build_array(OLD.context_path, NEW.context_path))::text);
        ELSE
          PERFORM pg_notify('depot_application_changes',
            json_build_object('id', OLD.id::text, 'contextPaths', json_build_array(OLD.context_path))::text);
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "trg_applications_notify_change"
        AFTER INSERT OR UPDATE OR DELETE ON "applications"
        FOR EACH ROW EXECUTE FUNCTION "notify_application_change"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_applications_notify_change" ON "applications"`);
    await queryRunner.query(`DROP FUNCTION "notify_application_change"()`);
  }
}
