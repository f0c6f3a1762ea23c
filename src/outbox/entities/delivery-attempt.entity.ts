import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** One attempt at a delivery and what came of it. */
@Entity('delivery_attempts')
@Check('delivery_attempts_attempt_check', 'attempt > 0')
@Check('delivery_attempts_outcome_check', `outcome IN ('delivered', 'failed', 'skipped')`)
export class DeliveryAttemptEntity {
  @ForeignKey('deliveries', { name: 'delivery_attempts_delivery_id_fkey' })
  @PrimaryColumn({ name: 'delivery_id', type: 'bigint' })
  deliveryId: string;

  @PrimaryColumn({ type: 'integer' })
  attempt: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt: Date;

  @Column({ type: 'text' })
  outcome: 'delivered' | 'failed' | 'skipped';

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
