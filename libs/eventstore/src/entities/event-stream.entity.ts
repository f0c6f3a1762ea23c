import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** An aggregate's stream: the sequence of its last event (the counter the append advances) and when it changed. */
@Entity('event_streams')
@Check('event_streams_sequence_check', 'sequence > 0')
export class EventStreamEntity {
  @PrimaryColumn({ name: 'aggregate_id', type: 'text' })
  aggregateId: string;

  @Column({ name: 'aggregate_type', type: 'text' })
  aggregateType: string;

  /** bigint: the driver returns it as a string. */
  @Column({ type: 'bigint' })
  sequence: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
