import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The fan-out cursor, one row (id 1): the last event handed to deliveries. Its `tx_id` (xid8) is not mapped:
 * TypeORM has no xid8 type, so the statements that read or move it are SQL.
 */
@Entity('outbox_cursor')
@Check('outbox_cursor_id_check', 'id = 1')
export class OutboxCursorEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  /** bigint: the driver returns it as a string. */
  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
