import { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only event log and the per-aggregate sequence counter. */
export class CreateEventstore1732320000000 implements MigrationInterface {
  name = 'CreateEventstore1732320000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE event_streams (
        aggregate_id   text PRIMARY KEY,
        aggregate_type text NOT NULL,
        sequence       bigint NOT NULL CHECK (sequence > 0),
        changed_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE events (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        aggregate_type text NOT NULL,
        aggregate_id   text NOT NULL,
        sequence       bigint NOT NULL CHECK (sequence > 0),
        type           text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        creator        text NOT NULL,
        resource_owner text NOT NULL,
        request_id     text,
        payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT events_aggregate_sequence_unique UNIQUE (aggregate_id, sequence)
      )`);
    // The log is history: rows are only ever added.
    await runner.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await runner.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE events');
    await runner.query('DROP FUNCTION events_append_only');
    await runner.query('DROP TABLE event_streams');
  }
}
