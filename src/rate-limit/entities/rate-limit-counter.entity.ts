import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The hits of one subject in one fixed window. The table is UNLOGGED (a migration sets it; TypeORM does not model it). */
@Entity('rate_limit_counters')
@Check('rate_limit_counters_count_check', 'count > 0')
export class RateLimitCounterEntity {
  @PrimaryColumn({ type: 'text' })
  subject: string;

  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ type: 'integer' })
  count: number;
}
