import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What an idempotency key's answer holds, as stored (JSON: the date as an ISO string). */
export interface StoredOutcome {
  readonly sequence: number;
  readonly date: string;
  readonly resourceOwner: string;
}

/** An idempotency key of a factor command; `outcome` is null only inside the claiming transaction. */
@Entity('idempotency_keys')
@Index('idempotency_keys_by_age', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  operation: string;

  @Column({ type: 'text' })
  target: string;

  @Column({ type: 'jsonb', nullable: true })
  outcome: StoredOutcome | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
