import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's phone number: Cumulocity's user and currentUser carry one, and users may change it. */
export class AddUserPhone1764140000050 implements MigrationInterface {
  name = 'AddUserPhone1764140000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "phone" varchar(256)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "phone"`);
  }
}
