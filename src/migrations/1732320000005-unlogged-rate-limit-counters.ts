import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters need no durability: each factor change counts one hit in
 * its own short transaction, and on a logged table that commit waits for a WAL
 * flush of its own. Unlogged, the commit does not wait. The price is acceptable:
 * after a crash of PostgreSQL (not of a service instance) the table starts
 * empty, and each user's current window starts again from zero; replicas do
 * not have the counters, which only the primary uses.
 */
export class UnloggedRateLimitCounters1732320000005 implements MigrationInterface {
  name = 'UnloggedRateLimitCounters1732320000005';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE rate_limit_counters SET UNLOGGED');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE rate_limit_counters SET LOGGED');
  }
}
