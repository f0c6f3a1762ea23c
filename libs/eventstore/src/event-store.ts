import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { DataSource } from 'typeorm';
import { AppendContext, AppendResult, NewEvent, StoredEvent, storedEventOf } from './event';
import { EventEntity } from './entities/event.entity';

// Raw: the append is on every command's path, and TypeORM has no data-modifying CTE to make it one round trip.
// One round trip: advance the stream's counter (creating it on first use; the
// row lock it takes serializes concurrent writers of one aggregate), then
// insert the events numbered from the counter's old value. A rollback undoes
// both, so sequences never have gaps.
const APPEND_SQL = `
  WITH stream AS (
    INSERT INTO event_streams AS s (aggregate_id, aggregate_type, sequence)
    VALUES ($1, $2, $3)
    ON CONFLICT (aggregate_id) DO UPDATE SET sequence = s.sequence + EXCLUDED.sequence, changed_at = now()
    RETURNING s.sequence
  )
  INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, source_address, user_agent, payload)
  SELECT $2, $1, stream.sequence - $3 + e.ordinal, e.type, $4, $5, $6, $9, $10, e.payload
  FROM stream, unnest($7::text[], $8::jsonb[]) WITH ORDINALITY AS e(type, payload, ordinal)
  RETURNING sequence, created_at`;

/** The append-only event log; writes join the caller's transaction. */
@Injectable()
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends events to an aggregate inside `tx`, numbered gaplessly after its last one. */
  async append(tx: Transaction, context: AppendContext, events: readonly NewEvent[]): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const rows: { sequence: string; created_at: Date }[] = await tx.manager.query(APPEND_SQL, [
      context.aggregateId,
      context.aggregateType,
      events.length,
      context.creator,
      context.resourceOwner,
      context.requestId ?? null,
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.payload ?? {})),
      context.origin?.sourceAddress ?? null,
      context.origin?.userAgent ?? null,
    ]);
    const last = rows.reduce((a, b) => (Number(a.sequence) > Number(b.sequence) ? a : b));
    return { sequence: Number(last.sequence), createdAt: last.created_at };
  }

  /** The aggregate's events in sequence order (inside `tx` when given). */
  async eventsOf(aggregateId: string, tx?: Transaction): Promise<StoredEvent[]> {
    const manager = tx?.manager ?? this.dataSource.manager;
    const events = await manager.find(EventEntity, { where: { aggregateId }, order: { sequence: 'ASC' } });
    return events.map(storedEventOf);
  }
}
