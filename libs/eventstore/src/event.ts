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
