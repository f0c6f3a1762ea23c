import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Transaction } from '@app/database';
import { OutboxCursorEntity } from './entities/outbox-cursor.entity';
import { DeliveryEntity } from './entities/delivery.entity';
import { StoredEventRow, toStoredEvent } from '@app/eventstore';
import { DeliveryStatus, DeliveryTargetKind, OutboxEvent } from './outbox-event';

interface ClaimedRow extends StoredEventRow {
  delivery_id: string;
  target_kind: DeliveryTargetKind;
  target_id: string;
  attempts: number;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_active: boolean | null;
  user_email: string | null;
  user_email_verified: boolean | null;
}

/** Where the fan-out stands: the last event handed to deliveries, in commit-safe (transaction id, event id) order. */
export interface FanOutCursor {
  readonly txId: string;
  readonly eventId: string;
}

/** An event read for fan-out, with its position. */
export interface FanOutEvent extends OutboxEvent {
  readonly txId: string;
}

export interface NewDelivery {
  readonly eventId: string;
  readonly targetKind: DeliveryTargetKind;
  readonly targetId: string;
  readonly organizationId: string;
}

/** A delivery claimed for an attempt, with what the attempt needs to know. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly targetKind: DeliveryTargetKind;
  readonly targetId: string;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly event: OutboxEvent;
  readonly webhook?: { readonly url: string; readonly secret: string; readonly active: boolean };
  /** The user's verified e-mail address, for an e-mail delivery. */
  readonly verifiedEmail?: string;
}

/** What came of one attempt. */
export interface AttemptResult {
  readonly outcome: 'delivered' | 'failed' | 'skipped';
  readonly startedAt: Date;
  readonly error?: string;
}

/** A delivery as the API shows it. */
export interface DeliveryRecord {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly userId: string;
  readonly targetKind: DeliveryTargetKind;
  readonly targetId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

/** A delivery target as one string: `webhook:<id>` or `email:<user id>`. */
export function targetKey(delivery: { readonly targetKind: DeliveryTargetKind; readonly targetId: string }): string {
  return `${delivery.targetKind}:${delivery.targetId}`;
}

/** The outbox's tables: the fan-out cursor, deliveries and their attempts. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Locks the fan-out cursor until the transaction ends; undefined when another
   * instance holds it (that instance is fanning out, this one need not).
   */
  async lockCursor(tx: Transaction): Promise<FanOutCursor | undefined> {
    const cursor: { tx_id: string; event_id: string } | undefined = await tx.manager
      .createQueryBuilder(OutboxCursorEntity, 'c')
      // tx_id is xid8, which the entity does not map: selected as text.
      .select('c.tx_id::text', 'tx_id')
      .addSelect('c.eventId', 'event_id')
      .where('c.id = 1')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getRawOne();
    return cursor && { txId: cursor.tx_id, eventId: cursor.event_id };
  }

  /**
   * The next events after `cursor` whose transactions are all finished: those
   * below the oldest transaction id still running anywhere. Nothing can ever be
   * appended below that bound, so a cursor advanced over these skips nothing,
   * however identity values and commits interleave.
   */
  async eventsAfter(tx: Transaction, cursor: FanOutCursor, limit: number): Promise<FanOutEvent[]> {
    // Raw: the xid8 cursor; TypeORM has no xid8 type for the events' tx_id (see EventEntity).
    const rows: (StoredEventRow & { tx_id: string })[] = await tx.manager.query(
      `SELECT id, tx_id::text, aggregate_type, aggregate_id, sequence, type, created_at, creator, resource_owner, request_id, payload
       FROM events
       WHERE tx_id IS NOT NULL AND (tx_id, id) > ($1::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY tx_id, id
       LIMIT $3`,
      [cursor.txId, cursor.eventId, limit],
    );
    return rows.map((row) => ({ ...toStoredEvent(row), txId: row.tx_id }));
  }

  /** Moves the cursor past the events just fanned out, in the transaction that stored their deliveries. */
  async advanceCursor(tx: Transaction, cursor: FanOutCursor): Promise<void> {
    // Raw: the xid8 cursor; TypeORM has no xid8 type for its tx_id (see OutboxCursorEntity).
    await tx.manager.query('UPDATE outbox_cursor SET tx_id = $1::xid8, event_id = $2, changed_at = now() WHERE id = 1', [cursor.txId, cursor.eventId]);
  }

  /** Stores deliveries; one per event and target, whatever runs twice. */
  async insertDeliveries(tx: Transaction, deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    // Raw: one statement with four array parameters, however many rows (a VALUES list binds four per row, and a
    // fan-out batch can hold more rows than the protocol's 65,535 parameters).
    await tx.manager.query(
      `INSERT INTO deliveries (event_id, target_kind, target_id, organization_id)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT ON CONSTRAINT deliveries_once_per_target DO NOTHING`,
      [deliveries.map((d) => d.eventId), deliveries.map((d) => d.targetKind), deliveries.map((d) => d.targetId), deliveries.map((d) => d.organizationId)],
    );
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs`: moves their next attempt to the lease's end, so that other
   * instances pass them over until then, and returns them with the attempts made so far. One statement, so the
   * claim commits at once and no lock outlives it. SKIP LOCKED: a concurrent claim is passed over, never waited for.
   *
   * Fair: every target's oldest due delivery comes before any target's second; a webhook (an endpoint its
   * organization chose, which may never answer) gets one delivery per claim and none while `busyTargets` (see
   * {@link targetKey}) says an attempt at it is still in flight here, so it holds one slot at most and the
   * deliveries of every other target go ahead of its backlog. E-mails and codes all go to the one mail or SMS
   * provider, so they are not held back per user.
   */
  async claimDue(tx: Transaction, limit: number, leaseMs: number, busyTargets: readonly string[] = []): Promise<ClaimedDelivery[]> {
    // Raw: the claim is one statement (rank, lock with SKIP LOCKED, lease, join what the attempt needs), which TypeORM cannot compose.
    const rows: ClaimedRow[] = await tx.manager.query(
      `WITH ranked AS (
         SELECT id, target_kind, next_attempt_at, row_number() OVER (PARTITION BY target_kind, target_id ORDER BY next_attempt_at, id) AS nth
         FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= now() AND NOT (target_kind || ':' || target_id = ANY($3::text[]))
       ), due AS MATERIALIZED (
         SELECT d.id FROM deliveries d JOIN ranked r ON r.id = d.id
         WHERE (r.target_kind <> 'webhook' OR r.nth = 1) AND d.status = 'pending' AND d.next_attempt_at <= now()
         ORDER BY r.nth, r.next_attempt_at, r.id
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE deliveries d SET next_attempt_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.event_id, d.target_kind, d.target_id, d.attempts
       )
       SELECT c.id AS delivery_id, c.target_kind, c.target_id, c.attempts,
              e.id, e.aggregate_type, e.aggregate_id, e.sequence, e.type, e.created_at, e.creator, e.resource_owner, e.request_id, e.payload,
              w.url AS webhook_url, w.secret AS webhook_secret, w.active AS webhook_active, u.email AS user_email, u.email_verified AS user_email_verified
       FROM claimed c
       JOIN events e ON e.id = c.event_id
       LEFT JOIN webhooks w ON c.target_kind = 'webhook' AND w.id = c.target_id
       LEFT JOIN users u ON c.target_kind = 'email' AND u.id = c.target_id
       ORDER BY c.id`,
      [limit, leaseMs, busyTargets],
    );
    return rows.map((row) => ({
      id: row.delivery_id,
      targetKind: row.target_kind,
      targetId: row.target_id,
      attempts: row.attempts,
      event: toStoredEvent(row),
      webhook: row.webhook_url && row.webhook_secret ? { url: row.webhook_url, secret: row.webhook_secret, active: row.webhook_active === true } : undefined,
      verifiedEmail: row.user_email && row.user_email_verified ? row.user_email : undefined,
    }));
  }

  /**
   * Records an attempt and its consequence: delivered or skipped ends the delivery; a failure schedules the next
   * attempt after `retryInMs`, or, with `retryInMs` undefined, dead-letters it. Only while the claim still stands
   * (pending, with the attempts it was claimed with): if its lease ran out and another instance recorded an attempt
   * meanwhile, nothing is stored and the result is undefined.
   */
  async recordAttempt(tx: Transaction, delivery: ClaimedDelivery, result: AttemptResult, retryInMs: number | undefined): Promise<DeliveryStatus | undefined> {
    const status: DeliveryStatus = result.outcome === 'failed' ? (retryInMs === undefined ? 'dead' : 'pending') : result.outcome;
    // Raw: the conditional update and the attempt's row in one round trip (a data-modifying CTE), which TypeORM cannot compose.
    const recorded: { delivery_id: string }[] = await tx.manager.query(
      `WITH recorded AS (
         UPDATE deliveries SET attempts = $2 + 1, status = $3, last_error = $4,
           next_attempt_at = CASE WHEN $3 = 'pending' THEN clock_timestamp() + make_interval(secs => $5::double precision / 1000) ELSE next_attempt_at END,
           finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE clock_timestamp() END
         WHERE id = $1 AND attempts = $2 AND status = 'pending'
         RETURNING id
       )
       INSERT INTO delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome, error)
       SELECT id, $2 + 1, $6::timestamptz, clock_timestamp(), $7, $4 FROM recorded
       RETURNING delivery_id`,
      [delivery.id, delivery.attempts, status, result.error ?? null, retryInMs ?? 0, result.startedAt, result.outcome],
    );
    return recorded.length > 0 ? status : undefined;
  }

  /**
   * Backs a failing target off as a whole: its other pending deliveries wait at least `delayMs` too (a lease
   * already longer is kept), so that its backlog does not take a turn per poll while it is down.
   */
  async postponeTarget(tx: Transaction, targetKind: DeliveryTargetKind, targetId: string, delayMs: number): Promise<void> {
    // The database's clock, which the claims' leases are on.
    const postponed = 'clock_timestamp() + make_interval(secs => :delaySeconds)';
    await tx.manager
      .createQueryBuilder()
      .update(DeliveryEntity)
      .set({ nextAttemptAt: () => postponed })
      .where({ targetKind, targetId, status: 'pending' })
      .andWhere(`next_attempt_at < ${postponed}`)
      .setParameter('delaySeconds', delayMs / 1000)
      .execute();
  }

  /** A webhook's deliveries, newest first, optionally of one status. */
  async deliveriesOf(
    tx: Transaction,
    targetKind: DeliveryTargetKind,
    targetId: string,
    status: DeliveryStatus | undefined,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    // The aliases are the record's fields: the raw rows are the records.
    const deliveries: DeliveryRecord[] = await tx.manager
      .createQueryBuilder(DeliveryEntity, 'd')
      // Joined by table name: the event store's entity stays in its library.
      .innerJoin('events', 'e', 'e.id = d.eventId')
      .select('d.id', 'id')
      .addSelect('d.eventId', 'eventId')
      .addSelect('e.type', 'eventType')
      .addSelect('e.aggregateId', 'userId')
      .addSelect('d.targetKind', 'targetKind')
      .addSelect('d.targetId', 'targetId')
      .addSelect('d.status', 'status')
      .addSelect('d.attempts', 'attempts')
      .addSelect('d.nextAttemptAt', 'nextAttemptAt')
      .addSelect('d.lastError', 'lastError')
      .addSelect('d.createdAt', 'createdAt')
      .addSelect('d.finishedAt', 'finishedAt')
      .where({ targetKind, targetId, ...(status === undefined ? {} : { status }) })
      .orderBy('d.id', 'DESC')
      .limit(limit)
      .getRawMany();
    return deliveries;
  }

  /** How many deliveries are in each status, by target kind (for the metrics). */
  async countByStatus(): Promise<{ targetKind: DeliveryTargetKind; status: DeliveryStatus; count: number }[]> {
    const rows: { targetKind: DeliveryTargetKind; status: DeliveryStatus; count: string }[] = await this.dataSource
      .createQueryBuilder(DeliveryEntity, 'd')
      .select('d.targetKind', 'targetKind')
      .addSelect('d.status', 'status')
      .addSelect('count(*)', 'count')
      .groupBy('d.targetKind')
      .addGroupBy('d.status')
      .getRawMany();
    return rows.map((row) => ({ targetKind: row.targetKind, status: row.status, count: Number(row.count) }));
  }
}
