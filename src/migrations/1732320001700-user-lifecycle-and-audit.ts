import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * The user lifecycle and the audit trail: a user may also be `locked`; a deleted user leaves a tombstone
 * (`deleted_users`) so that the id cannot be taken again while the user's events stay; every event records
 * the request's source address and user agent; and the audit search reads an organization's events in the
 * commit-safe (transaction id, event id) order the outbox uses.
 */
export class UserLifecycleAndAudit1732320001700 implements MigrationInterface {
  name = 'UserLifecycleAndAudit1732320001700';

  async up(runner: QueryRunner): Promise<void> {
    // The CHECK constraint of a column is not something TypeORM's schema builder can alter.
    await runner.query('ALTER TABLE users DROP CONSTRAINT users_state_check');
    await runner.query(`ALTER TABLE users ADD CONSTRAINT users_state_check CHECK (state IN ('active', 'inactive', 'locked'))`);
    await runner.createTable(
      new Table({
        name: 'deleted_users',
        columns: [
          { name: 'id', type: 'text', isPrimary: true },
          { name: 'organization_id', type: 'text', isNullable: false },
          { name: 'deleted_at', type: 'timestamptz', isNullable: false },
        ],
      }),
    );
    await runner.addColumns('events', [
      new TableColumn({ name: 'source_address', type: 'text', isNullable: true }),
      new TableColumn({ name: 'user_agent', type: 'text', isNullable: true }),
    ]);
    // Expression indexes (TypeORM's TableIndex takes columns only): the audit search orders by (transaction id,
    // event id), counting events from before the outbox migration, which have no transaction id, as the oldest.
    await runner.query(`CREATE INDEX events_audit_by_owner ON events (resource_owner, (COALESCE(tx_id, '0'::xid8)), id)`);
    await runner.query(`CREATE INDEX events_audit_order ON events ((COALESCE(tx_id, '0'::xid8)), id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX events_audit_order');
    await runner.query('DROP INDEX events_audit_by_owner');
    await runner.dropColumns('events', ['source_address', 'user_agent']);
    await runner.dropTable('deleted_users');
    await runner.query(`UPDATE users SET state = 'inactive' WHERE state = 'locked'`);
    await runner.query('ALTER TABLE users DROP CONSTRAINT users_state_check');
    await runner.query(`ALTER TABLE users ADD CONSTRAINT users_state_check CHECK (state IN ('active', 'inactive'))`);
  }
}
