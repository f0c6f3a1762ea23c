import type { EventEntity } from './entities/event.entity';

/** An event to be appended to an aggregate's stream. */
export interface NewEvent {
  readonly type: string;
  readonly payload?: Record<string, unknown>;
}

/** Where a request came from, as the events it writes record it. */
export interface RequestOrigin {
  /** The client's address: the connection's peer, or `X-Forwarded-For`'s client behind a trusted proxy. */
  readonly sourceAddress?: string;
  readonly userAgent?: string;
}

/** Who writes, to which aggregate, on behalf of which request. */
export interface AppendContext {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly resourceOwner: string;
  /** The acting user. */
  readonly creator: string;
  readonly requestId?: string;
  readonly origin?: RequestOrigin;
}

/** What an append wrote: the sequence of its last event and the events' time. */
export interface AppendResult {
  readonly sequence: number;
  readonly createdAt: Date;
}

/** An event as stored. */
export interface StoredEvent {
  readonly id: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly sequence: number;
  readonly type: string;
  readonly createdAt: Date;
  readonly creator: string;
  readonly resourceOwner: string;
  readonly requestId: string | null;
  readonly sourceAddress: string | null;
  readonly userAgent: string | null;
  readonly payload: Record<string, unknown>;
}

/** An `events` row as a raw statement returns it (bigint columns as strings). */
export interface StoredEventRow {
  id: string;
  aggregate_type: string;
  aggregate_id: string;
  sequence: string;
  type: string;
  created_at: Date;
  creator: string;
  resource_owner: string;
  request_id: string | null;
  /** Absent where a statement does not select it. */
  source_address?: string | null;
  user_agent?: string | null;
  payload: Record<string, unknown>;
}

/** The event a raw row of `events` holds. */
export function toStoredEvent(row: StoredEventRow): StoredEvent {
  return {
    id: row.id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: Number(row.sequence),
    type: row.type,
    createdAt: row.created_at,
    creator: row.creator,
    resourceOwner: row.resource_owner,
    requestId: row.request_id,
    sourceAddress: row.source_address ?? null,
    userAgent: row.user_agent ?? null,
    payload: row.payload,
  };
}

/** The event an entity holds (the entity stays with the repository that read it). */
export function storedEventOf(event: EventEntity): StoredEvent {
  return {
    id: event.id,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    sequence: Number(event.sequence),
    type: event.type,
    createdAt: event.createdAt,
    creator: event.creator,
    resourceOwner: event.resourceOwner,
    requestId: event.requestId,
    sourceAddress: event.sourceAddress,
    userAgent: event.userAgent,
    payload: event.payload,
  };
}
