import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters: one row per subject and fixed window, shared by every
 * instance (a limit kept in process memory would multiply with the instances).
 */
export class CreateRateLimitCounters1732320000002 implements MigrationInterface {
  name = 'CreateRateLimitCounters1732320000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE rate_limit_counters (
        subject      text NOT NULL,
        window_start timestamptz NOT NULL,
        count        integer NOT NULL CHECK (count > 0),
        PRIMARY KEY (subject, window_start)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE rate_limit_counters');
  }
}
