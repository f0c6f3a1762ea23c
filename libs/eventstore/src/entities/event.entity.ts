import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One event of the append-only log (a trigger refuses UPDATE and DELETE). Its `tx_id` (xid8, the writing
 * transaction's id, set by its default) is not mapped: TypeORM has no xid8 type, and the statements that read it
 * (the outbox's cursor, the audit order) are SQL for that reason.
 */
@Entity('events')
@Unique('events_aggregate_sequence_unique', ['aggregateId', 'sequence'])
@Check('events_sequence_check', 'sequence > 0')
// Indexes on tx_id, which is not mapped (the partial one and the two expression ones): created by the migrations.
@Index('events_tx_order', { synchronize: false })
@Index('events_audit_by_owner', { synchronize: false })
@Index('events_audit_order', { synchronize: false })
export class EventEntity {
  /** bigint: the driver returns it as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'aggregate_type', type: 'text' })
  aggregateType: string;

  @Column({ name: 'aggregate_id', type: 'text' })
  aggregateId: string;

  @Column({ type: 'bigint' })
  sequence: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** The acting user. */
  @Column({ type: 'text' })
  creator: string;

  @Column({ name: 'resource_owner', type: 'text' })
  resourceOwner: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'source_address', type: 'text', nullable: true })
  sourceAddress: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb', default: {} })
  payload: Record<string, unknown>;
}
