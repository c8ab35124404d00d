import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant storage accounting. `tenant_storage.used_bytes` is kept by a trigger on
 * `managed_objects`, in the transaction of every insert, delete or content change, whichever code
 * path makes it, so it cannot drift from the rows. `storage_reservations` holds the bytes uploads in
 * flight have been granted; each is a lease that its upload renews, so one left by a killed process
 * stops counting when it expires. `depot_grant_storage` grants room under the tenant row's lock.
 */
export class CreateTenantStorage1764170000000 implements MigrationInterface {
  name = 'CreateTenantStorage1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "tenant_storage" (
        "tenant_id" varchar(64) NOT NULL,
        "used_bytes" bigint NOT NULL DEFAULT 0,
        "quota_bytes" bigint,
        CONSTRAINT "pk_tenant_storage" PRIMARY KEY ("tenant_id"),
        CONSTRAINT "ck_tenant_storage_quota" CHECK ("quota_bytes" IS NULL OR "quota_bytes" >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE "storage_reservations" (
        "id" uuid NOT NULL,
        "tenant_id" varchar(64) NOT NULL,
        "bytes" bigint NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_storage_reservations" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_storage_reservations_tenant" ON "storage_reservations" ("tenant_id", "expires_at")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "depot_count_tenant_storage"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.storage_key IS NOT NULL AND COALESCE(OLD.length, 0) <> 0 THEN
          INSERT INTO tenant_storage AS s (tenant_id, used_bytes) VALUES (OLD.tenant_id, -OLD.length)
          ON CONFLICT (tenant_id) DO UPDATE SET used_bytes = s.used_bytes + EXCLUDED.used_bytes;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.storage_key IS NOT NULL AND COALESCE(NEW.length, 0) <> 0 THEN
          INSERT INTO tenant_storage AS s (tenant_id, used_bytes) VALUES (NEW.tenant_id, NEW.length)
          ON CONFLICT (tenant_id) DO UPDATE SET used_bytes = s.used_bytes + EXCLUDED.used_bytes;
        END IF;
        RETURN NULL;
      END $$`);
    // One round trip, and the tenant's row lock is held only while the function runs: each statement
    // of a volatile function reads a fresh snapshot, so the sum sees every grant committed before.
    await queryRunner.query(`
      CREATE FUNCTION "depot_grant_storage"(
        p_tenant varchar, p_id uuid, p_needed bigint, p_desired bigint, p_default_quota bigint,
        p_ttl_seconds double precision
      ) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        v_used bigint;
        v_quota bigint;
        v_others bigint;
        v_room bigint;
        v_granted bigint;
      BEGIN
        INSERT INTO tenant_storage AS s (tenant_id) VALUES (p_tenant)
        ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = s.tenant_id
        RETURNING s.used_bytes, COALESCE(s.quota_bytes, p_default_quota) INTO v_used, v_quota;
        IF v_quota IS NULL THEN
          RETURN NULL;
        END IF;
        DELETE FROM storage_reservations WHERE tenant_id = p_tenant AND expires_at <= now();
        SELECT COALESCE(SUM(bytes), 0) INTO v_others FROM storage_reservations
        WHERE tenant_id = p_tenant AND id <> p_id;
        v_room := v_quota - v_used - v_others;
        IF p_needed > v_room THEN
          RETURN -1;
        END IF;
        -- Near the quota, half of what is left: concurrent uploads that fit together all get room.
        v_granted := LEAST(p_desired, p_needed + (v_room - p_needed) / 2);
        INSERT INTO storage_reservations (id, tenant_id, bytes, expires_at)
        VALUES (p_id, p_tenant, v_granted, now() + make_interval(secs => p_ttl_seconds))
        ON CONFLICT (id) DO UPDATE SET bytes = EXCLUDED.bytes, expires_at = EXCLUDED.expires_at;
        RETURN v_granted;
      END $$`);
    // Counts what exists; the trigger's lock on managed_objects keeps writers out until commit.
    await queryRunner.query(`
      CREATE TRIGGER "trg_managed_objects_tenant_storage"
      AFTER INSERT OR DELETE OR UPDATE OF "tenant_id", "storage_key", "length" ON "managed_objects"
      FOR EACH ROW EXECUTE FUNCTION "depot_count_tenant_storage"()`);
    await queryRunner.query(`
      INSERT INTO "tenant_storage" ("tenant_id", "used_bytes")
      SELECT "tenant_id", COALESCE(SUM("length"), 0) FROM "managed_objects"
      WHERE "storage_key" IS NOT NULL GROUP BY "tenant_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_managed_objects_tenant_storage" ON "managed_objects"`);
    await queryRunner.query(`DROP FUNCTION "depot_count_tenant_storage"()`);
    await queryRunner.query(
      `DROP FUNCTION "depot_grant_storage"(varchar, uuid, bigint, bigint, bigint, double precision)`,
    );
    await queryRunner.query(`DROP TABLE "storage_reservations"`);
    await queryRunner.query(`DROP TABLE "tenant_storage"`);
  }
}
