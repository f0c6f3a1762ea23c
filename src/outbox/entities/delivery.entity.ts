import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { DeliveryStatus, DeliveryTargetKind } from '../outbox-event';

/** One event to be delivered to one target; `next_attempt_at` is also the end of a claim's lease. */
@Entity('deliveries')
@Unique('deliveries_once_per_target', ['eventId', 'targetKind', 'targetId'])
@Index('deliveries_due', ['nextAttemptAt', 'id'], { where: `status = 'pending'` })
@Index('deliveries_by_target', ['targetKind', 'targetId', 'id'])
@Check('deliveries_target_kind_check', `target_kind IN ('webhook', 'email', 'code')`)
@Check('deliveries_status_check', `status IN ('pending', 'delivered', 'dead', 'skipped')`)
@Check('deliveries_attempts_check', 'attempts >= 0')
export class DeliveryEntity {
  /** bigint: the driver returns it as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  // By table name: the event store's entity is not imported here.
  @ForeignKey('events', { name: 'deliveries_event_id_fkey' })
  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @Column({ name: 'target_kind', type: 'text' })
  targetKind: DeliveryTargetKind;

  @Column({ name: 'target_id', type: 'text' })
  targetId: string;

  @Column({ name: 'organization_id', type: 'text' })
  organizationId: string;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
