import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Factor protections: each organization's factor policy (absent: the configured
 * defaults), and the idempotency keys of factor commands. A key row is written
 * in the command's own transaction, so it exists exactly when the command's
 * effect does; its primary key makes a concurrent duplicate wait for the first
 * and then replay its answer. `outcome` is NULL only inside the writing transaction.
 */
export class CreateFactorProtections1732320000003 implements MigrationInterface {
  name = 'CreateFactorProtections1732320000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organization_factor_policies (
        organization_id                     text PRIMARY KEY REFERENCES organizations (id),
        force_mfa                           boolean NOT NULL,
        factor_change_max_auth_age_seconds  integer CHECK (factor_change_max_auth_age_seconds > 0),
        changed_at                          timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE idempotency_keys (
        user_id     text NOT NULL,
        key         text NOT NULL,
        operation   text NOT NULL,
        target      text NOT NULL,
        outcome     jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await runner.query('CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE idempotency_keys');
    await runner.query('DROP TABLE organization_factor_policies');
  }
}
