import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: webhook targets per organization, the deliveries
 * fanned out from the event log, their attempts, and the fan-out cursor.
 *
 * `events.tx_id` records the writing transaction's id (xid8, no wraparound).
 * Identity values commit out of order, so "id > last id" would skip an event
 * whose transaction commits after a later id was seen. The dispatcher instead
 * fans out only events whose transaction id is below the oldest transaction
 * still running (`pg_snapshot_xmin(pg_current_snapshot())`): such events are
 * final, and no new event can ever appear below that bound.
 *
 * `deliveries.next_attempt_at` is also the end of a claim's lease: an instance
 * claiming a delivery moves it forward, attempts with no transaction open, and
 * records the outcome only if `attempts` is still what it claimed. A claimant
 * that dies leaves the delivery to be attempted again once the lease ends.
 *
 * Events written before this migration keep a NULL `tx_id` and are never
 * fanned out (no retroactive e-mails for old history); adding a nullable
 * column and then a default rewrites no row, so the append-only trigger is untouched.
 */
export class CreateOutbox1732320000004 implements MigrationInterface {
  name = 'CreateOutbox1732320000004';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE events ADD COLUMN tx_id xid8');
    await runner.query('ALTER TABLE events ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id()');
    await runner.query('CREATE INDEX events_tx_order ON events (tx_id, id) WHERE tx_id IS NOT NULL');
    await runner.query(`
      CREATE TABLE outbox_cursor (
        id         smallint PRIMARY KEY CHECK (id = 1),
        tx_id      xid8 NOT NULL,
        event_id   bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`INSERT INTO outbox_cursor (id, tx_id, event_id) VALUES (1, '0', 0)`);
    await runner.query(`
      CREATE TABLE webhooks (
        id              text PRIMARY KEY,
        organization_id text NOT NULL REFERENCES organizations (id),
        url             text NOT NULL,
        event_types     text[] NOT NULL CHECK (cardinality(event_types) > 0),
        secret          text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        creator         text NOT NULL
      )`);
    await runner.query('CREATE INDEX webhooks_by_organization ON webhooks (organization_id)');
    await runner.query(`
      CREATE TABLE deliveries (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        bigint NOT NULL REFERENCES events (id),
        target_kind     text NOT NULL CHECK (target_kind IN ('webhook', 'email')),
        target_id       text NOT NULL,
        organization_id text NOT NULL,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
        attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        CONSTRAINT deliveries_once_per_target UNIQUE (event_id, target_kind, target_id)
      )`);
    await runner.query(`CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending'`);
    await runner.query('CREATE INDEX deliveries_by_target ON deliveries (target_kind, target_id, id)');
    await runner.query(`
      CREATE TABLE delivery_attempts (
        delivery_id bigint NOT NULL REFERENCES deliveries (id),
        attempt     integer NOT NULL CHECK (attempt > 0),
        started_at  timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'skipped')),
        error       text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE delivery_attempts');
    await runner.query('DROP TABLE deliveries');
    await runner.query('DROP TABLE webhooks');
    await runner.query('DROP TABLE outbox_cursor');
    await runner.query('DROP INDEX events_tx_order');
    await runner.query('ALTER TABLE events DROP COLUMN tx_id');
  }
}
