import { MigrationInterface, QueryRunner } from 'typeorm';

/** A webhook can be paused (`active` false): new events are not fanned out to it, and its deliveries stay listed. */
export class WebhookActive1732320000016 implements MigrationInterface {
  name = 'WebhookActive1732320000016';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE webhooks ADD COLUMN active boolean NOT NULL DEFAULT true');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE webhooks DROP COLUMN active');
  }
}
