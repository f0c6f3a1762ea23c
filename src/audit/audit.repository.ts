import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { EventEntity, StoredEvent, storedEventOf } from '@app/eventstore';
import { In, LessThan, MoreThanOrEqual } from 'typeorm';

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

// The commit-safe order: the writing transaction's id (xid8, not mapped by EventEntity; events from before the outbox
// migration have none and count as the oldest), then the event id. The expression the migration's indexes are on.
const ORDER_KEY = `COALESCE(e.tx_id, '0'::xid8)`;

/** Reads the event log for the audit search. */
@Injectable()
export class AuditRepository {
  /**
   * A page of events in (transaction id, event id) order, only of transactions below the oldest one still
   * running (or the given bound, if lower): no event can ever be appended below that bound, so the pages of
   * one search neither skip nor repeat an event while others are appended, however commits interleave.
   */
  async page(tx: Transaction, filter: AuditFilter, query: AuditPageQuery): Promise<AuditPage> {
    // Raw: the bound is an xid8 from the transaction's snapshot, read from no table; TypeORM has neither.
    const boundRows: { bound: string }[] = await tx.manager.query(
      `SELECT (CASE WHEN $1::xid8 IS NOT NULL AND $1::xid8 < pg_snapshot_xmin(pg_current_snapshot()) THEN $1::xid8
                    ELSE pg_snapshot_xmin(pg_current_snapshot()) END)::text AS bound`,
      [query.bound ?? null],
    );
    const bound = boundRows[0].bound;
    const direction = query.ascending ? 'ASC' : 'DESC';
    const select = tx.manager
      .createQueryBuilder(EventEntity, 'e')
      .select('e')
      .addSelect(`${ORDER_KEY}::text`, 'order_tx_id')
      .where(`${ORDER_KEY} < CAST(:bound AS xid8)`, { bound });
    if (filter.organizationId !== undefined) select.andWhere({ resourceOwner: filter.organizationId });
    if (filter.userId !== undefined) select.andWhere({ aggregateType: 'user', aggregateId: filter.userId });
    if (filter.eventTypes && filter.eventTypes.length > 0) select.andWhere({ type: In([...filter.eventTypes]) });
    if (filter.editorUserId !== undefined) select.andWhere({ creator: filter.editorUserId });
    if (filter.since) select.andWhere({ createdAt: MoreThanOrEqual(filter.since) });
    if (filter.until) select.andWhere({ createdAt: LessThan(filter.until) });
    if (query.after) {
      select.andWhere(`(${ORDER_KEY}, e.id) ${query.ascending ? '>' : '<'} (CAST(:afterTxId AS xid8), CAST(:afterEventId AS bigint))`, {
        afterTxId: query.after.txId,
        afterEventId: query.after.eventId,
      });
    }
    const { entities, raw } = await select.orderBy(ORDER_KEY, direction).addOrderBy('e.id', direction).limit(query.limit).getRawAndEntities();
    const orderTxIds = new Map((raw as { e_id: string; order_tx_id: string }[]).map((row) => [row.e_id, row.order_tx_id]));
    return { bound, events: entities.map((event) => ({ ...storedEventOf(event), position: { txId: orderTxIds.get(event.id)!, eventId: event.id } })) };
  }
}
