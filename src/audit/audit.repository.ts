import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { StoredEvent, StoredEventRow, toStoredEvent } from '@app/eventstore';

/** Which events a search selects (all conditions together). */
export interface AuditFilter {
  /** One organization's events; undefined: the whole instance. */
  readonly organizationId?: string;
  /** The events of one user (its stream). */
  readonly userId?: string;
  readonly eventTypes?: readonly string[];
  /** The acting user. */
  readonly editorUserId?: string;
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
}

/** A position in the commit-safe order: the writing transaction's id (0 for events older than it), then the event id. */
export interface AuditPosition {
  readonly txId: string;
  readonly eventId: string;
}

export interface AuditPageQuery {
  readonly ascending: boolean;
  readonly limit: number;
  /** The last event of the previous page; undefined: from the start. */
  readonly after?: AuditPosition;
  /** Only events below this transaction id (the first page's bound, newest first); undefined: the current one. */
  readonly bound?: string;
}

export interface AuditEventRecord extends StoredEvent {
  readonly position: AuditPosition;
}

export interface AuditPage {
  readonly events: AuditEventRecord[];
  /** The transaction id below which this page read: every transaction below it has ended. */
  readonly bound: string;
}

const ORDER_KEY = `COALESCE(tx_id, '0'::xid8)`;

/** Reads the event log for the audit search. */
@Injectable()
export class AuditRepository {
  /**
   * A page of events in (transaction id, event id) order, only of transactions below the oldest one still
   * running (or the given bound, if lower): no event can ever be appended below that bound, so the pages of
   * one search neither skip nor repeat an event while others are appended, however commits interleave.
   * The condition list is built from the filter, hence SQL and not a fixed statement (events have no entity).
   */
  async page(tx: Transaction, filter: AuditFilter, query: AuditPageQuery): Promise<AuditPage> {
    const parameters: unknown[] = [];
    const param = (value: unknown): string => `$${parameters.push(value)}`;
    const boundRows: { bound: string }[] = await tx.manager.query(
      `SELECT (CASE WHEN $1::xid8 IS NOT NULL AND $1::xid8 < pg_snapshot_xmin(pg_current_snapshot()) THEN $1::xid8
                    ELSE pg_snapshot_xmin(pg_current_snapshot()) END)::text AS bound`,
      [query.bound ?? null],
    );
    const bound = boundRows[0].bound;
    const conditions = [`${ORDER_KEY} < ${param(bound)}::xid8`];
    if (filter.organizationId !== undefined) conditions.push(`resource_owner = ${param(filter.organizationId)}`);
    if (filter.userId !== undefined) conditions.push(`aggregate_type = 'user' AND aggregate_id = ${param(filter.userId)}`);
    if (filter.eventTypes && filter.eventTypes.length > 0) conditions.push(`type = ANY(${param(filter.eventTypes)}::text[])`);
    if (filter.editorUserId !== undefined) conditions.push(`creator = ${param(filter.editorUserId)}`);
    if (filter.since) conditions.push(`created_at >= ${param(filter.since)}`);
    if (filter.until) conditions.push(`created_at < ${param(filter.until)}`);
    if (query.after) {
      conditions.push(`(${ORDER_KEY}, id) ${query.ascending ? '>' : '<'} (${param(query.after.txId)}::xid8, ${param(query.after.eventId)}::bigint)`);
    }
    const direction = query.ascending ? 'ASC' : 'DESC';
    const rows: (StoredEventRow & { order_tx_id: string })[] = await tx.manager.query(
      `SELECT id, ${ORDER_KEY}::text AS order_tx_id, aggregate_type, aggregate_id, sequence, type, created_at, creator, resource_owner,
              request_id, source_address, user_agent, payload
       FROM events
       WHERE ${conditions.join(' AND ')}
       ORDER BY ${ORDER_KEY} ${direction}, id ${direction}
       LIMIT ${param(query.limit)}`,
      parameters,
    );
    return { bound, events: rows.map((row) => ({ ...toStoredEvent(row), position: { txId: row.order_tx_id, eventId: row.id } })) };
  }
}
