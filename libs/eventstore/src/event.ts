/** An event to be appended to an aggregate's stream. */
export interface NewEvent {
  readonly type: string;
  readonly payload?: Record<string, unknown>;
}

/** Who writes, to which aggregate, on behalf of which request. */
export interface AppendContext {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly resourceOwner: string;
  /** The acting user. */
  readonly creator: string;
  readonly requestId?: string;
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
  readonly payload: Record<string, unknown>;
}

/** An `events` row as the driver returns it (bigint columns as strings). */
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
  payload: Record<string, unknown>;
}

/** The event a row of `events` holds. */
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
    payload: row.payload,
  };
}
