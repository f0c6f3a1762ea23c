import { Injectable } from '@nestjs/common';
import { composeStatement, SqlFragment, SqlParam, Transaction } from '@app/database';
import { DataSource } from 'typeorm';
import { AppendContext, AppendResult, NewEvent, StoredEvent, storedEventOf } from './event';
import { EventEntity } from './entities/event.entity';

// Raw: the append is on every command's path, and TypeORM has no data-modifying CTE to make it one round trip.
/**
 * The CTEs `stream` and `appended` of an append: advance the stream's counter (creating it on first use; the row lock
 * it takes serializes concurrent writers of one aggregate), then insert the events numbered from the counter's old
 * value, all only `WHERE condition`. A rollback undoes both, so sequences never have gaps.
 */
function appendCtes(param: SqlParam, context: AppendContext, events: readonly NewEvent[], condition: string): string {
  const id = param(context.aggregateId);
  const type = param(context.aggregateType);
  const count = param(events.length, 'bigint');
  return `stream AS (
    INSERT INTO event_streams AS s (aggregate_id, aggregate_type, sequence)
    SELECT ${id}, ${type}, ${count} WHERE ${condition}
    ON CONFLICT (aggregate_id) DO UPDATE SET sequence = s.sequence + EXCLUDED.sequence, changed_at = now()
    RETURNING s.sequence
  ), appended AS (
    INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, source_address, user_agent, payload)
    SELECT ${type}, ${id}, stream.sequence - ${count} + e.ordinal, e.type, ${param(context.creator)}, ${param(context.resourceOwner)},
      ${param(context.requestId ?? null)}, ${param(context.origin?.sourceAddress ?? null)}, ${param(context.origin?.userAgent ?? null)}, e.payload
    FROM stream, unnest(${param(
      events.map((e) => e.type),
      'text[]',
    )}, ${param(
      events.map((e) => JSON.stringify(e.payload ?? {})),
      'jsonb[]',
    )}) WITH ORDINALITY AS e(type, payload, ordinal)
    RETURNING sequence, created_at
  )`;
}

/**
 * A change to make together with its events in one statement, only while the aggregate's stream still stands
 * where the command read it: the fragments come from the modules that own their tables.
 */
export interface ConditionalChange {
  /**
   * The CTE `held`: a row once the aggregate is held against other writers (its row locked), none to refuse the
   * change. It runs before the stream's row is locked: commands lock the aggregate, then its stream.
   */
  readonly hold: SqlFragment;
  /** The CTE `changed`, to run only `WHERE EXISTS (SELECT 1 FROM go)`: a row for each thing it changed. */
  readonly change: SqlFragment;
}

/** The append-only event log; writes join the caller's transaction. */
@Injectable()
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends events to an aggregate inside `tx`, numbered gaplessly after its last one. */
  async append(tx: Transaction, context: AppendContext, events: readonly NewEvent[]): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const { text, values } = composeStatement((param) => `WITH ${appendCtes(param, context, events, 'true')} SELECT sequence, created_at FROM appended`);
    const rows: { sequence: string; created_at: Date }[] = await tx.manager.query(text, values);
    const last = rows.reduce((a, b) => (Number(a.sequence) > Number(b.sequence) ? a : b));
    return { sequence: Number(last.sequence), createdAt: last.created_at };
  }

  /**
   * Makes `change` and appends `events` in one statement, only if the aggregate's stream stands at `expectedSequence`
   * once held (a compare-and-set: the stream's row is locked, then its sequence compared), so a command that read the
   * aggregate without a lock can write without a transaction; undefined when nothing was changed. Raw and prepared:
   * the hot path's one write round trip.
   */
  async appendIfAt(
    tx: Transaction,
    context: AppendContext,
    events: readonly NewEvent[],
    expectedSequence: number,
    change: ConditionalChange,
  ): Promise<AppendResult | undefined> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const { text, values } = composeStatement((param) => {
      const ctes = [
        change.hold(param),
        `stream_now AS (SELECT sequence FROM event_streams WHERE aggregate_id = ${param(context.aggregateId)} AND EXISTS (SELECT 1 FROM held) FOR UPDATE)`,
        `go AS (SELECT 1 FROM held WHERE COALESCE((SELECT sequence FROM stream_now), 0) = ${param(expectedSequence, 'bigint')})`,
        change.change(param),
        appendCtes(param, context, events, 'EXISTS (SELECT 1 FROM changed)'),
      ];
      return `WITH ${ctes.join(',\n')}\nSELECT (SELECT max(sequence) FROM appended) AS appended_sequence, (SELECT max(created_at) FROM appended) AS appended_at`;
    });
    const [row] = await tx.prepared<{ appended_sequence: string | null; appended_at: Date | null }>(text, values);
    return row.appended_sequence === null ? undefined : { sequence: Number(row.appended_sequence), createdAt: row.appended_at! };
  }

  /** The aggregate's events in sequence order (inside `tx` when given). */
  async eventsOf(aggregateId: string, tx?: Transaction): Promise<StoredEvent[]> {
    const manager = tx?.manager ?? this.dataSource.manager;
    const events = await manager.find(EventEntity, { where: { aggregateId }, order: { sequence: 'ASC' } });
    return events.map(storedEventOf);
  }
}
