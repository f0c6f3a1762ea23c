import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@app/errors';
import { AuditFilter, AuditPosition } from './audit.repository';

/** What a cursor carries from one page to the next. */
export interface AuditCursor {
  readonly after: AuditPosition;
  /** Newest first: the first page's bound, so later pages never see events appended since. */
  readonly bound?: string;
}

interface CursorWire {
  /** Version. */
  v: 1;
  t: string;
  i: string;
  b?: string;
  a: boolean;
  /** The search it belongs to. */
  f: string;
}

const TX_ID = /^\d{1,19}$/;
const EVENT_ID = /^\d{1,18}$/;

/** A fingerprint of the search (filter and order), so that a cursor is not used for another one. */
function fingerprint(filter: AuditFilter, ascending: boolean): string {
  const normalized = [
    filter.organizationId ?? null,
    filter.userId ?? null,
    [...(filter.eventTypes ?? [])].sort(),
    filter.editorUserId ?? null,
    filter.since?.toISOString() ?? null,
    filter.until?.toISOString() ?? null,
    ascending,
  ];
  return createHash('sha256').update(JSON.stringify(normalized)).digest('base64url').slice(0, 16);
}

/** The opaque cursor of the page after `cursor`, for this search. */
export function encodeAuditCursor(cursor: AuditCursor, filter: AuditFilter, ascending: boolean): string {
  const wire: CursorWire = { v: 1, t: cursor.after.txId, i: cursor.after.eventId, a: ascending, f: fingerprint(filter, ascending) };
  if (cursor.bound !== undefined) wire.b = cursor.bound;
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

function invalidCursor(): InvalidArgumentError {
  return new InvalidArgumentError('AUTHF-AUDIT-CURSOR', 'cursor is not a cursor this search returned (send the same filters and order as on the first page)');
}

/** The cursor a client sent back, checked against the search it is used for. */
export function decodeAuditCursor(value: string, filter: AuditFilter, ascending: boolean): AuditCursor {
  let wire: Partial<CursorWire>;
  try {
    wire = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<CursorWire>;
  } catch {
    throw invalidCursor();
  }
  const valid =
    typeof wire === 'object' &&
    wire !== null &&
    wire.v === 1 &&
    typeof wire.t === 'string' &&
    TX_ID.test(wire.t) &&
    typeof wire.i === 'string' &&
    EVENT_ID.test(wire.i) &&
    (wire.b === undefined || (typeof wire.b === 'string' && TX_ID.test(wire.b))) &&
    wire.a === ascending &&
    wire.f === fingerprint(filter, ascending);
  if (!valid) throw invalidCursor();
  return { after: { txId: wire.t!, eventId: wire.i! }, bound: wire.b };
}
