import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verification codes (phone, e-mail) and OTP codes: one pending code per user and purpose. The code is kept
 * only as a keyed hash; `pending_delivery` holds it encrypted until the outbox has sent it. Deliveries gain
 * the target kind `code` (target id: the code's id). A user's codes go with the user.
 */
export class CreateVerificationCodes1732320000006 implements MigrationInterface {
  name = 'CreateVerificationCodes1732320000006';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE verification_codes (
        id               text PRIMARY KEY,
        user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        organization_id  text NOT NULL,
        purpose          text NOT NULL,
        code_hash        bytea NOT NULL,
        destination      text NOT NULL,
        url_template     text,
        pending_delivery bytea,
        failed_attempts  integer NOT NULL DEFAULT 0,
        expires_at       timestamptz NOT NULL,
        created_at       timestamptz NOT NULL,
        CONSTRAINT verification_codes_one_per_purpose UNIQUE (user_id, purpose)
      )`);
    await runner.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_target_kind_check');
    await runner.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_target_kind_check CHECK (target_kind IN ('webhook', 'email', 'code'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE target_kind = 'code')`);
    await runner.query(`DELETE FROM deliveries WHERE target_kind = 'code'`);
    await runner.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_target_kind_check');
    await runner.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_target_kind_check CHECK (target_kind IN ('webhook', 'email'))`);
    await runner.query('DROP TABLE verification_codes');
  }
}
