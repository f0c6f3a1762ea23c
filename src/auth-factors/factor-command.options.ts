import type { TransactionOptions } from '@app/database';
import { InvalidArgumentError } from '@app/errors';

/**
 * The options of a factor command, `(caller, userId, options)`: the transaction to join (other modules composing),
 * and the per-call protections as the client sent them (REST headers and query parameters, Connect/gRPC
 * metadata); the service checks them, so every transport behaves the same.
 */
export interface FactorCommandOptions extends TransactionOptions {
  /** `If-Match`: the user's sequence as an ETag, `"<sequence>"` (several comma-separated, or `*`). */
  readonly ifMatch?: string;
  /** `Idempotency-Key`: retries with the same key replay the first success. */
  readonly idempotencyKey?: string;
  /** Remove even the last factor under forced MFA (administrators on other users only; needs `reason`). */
  readonly force?: boolean;
  /** Why `force` was needed; recorded in the event. */
  readonly reason?: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const ENTITY_TAG = /^"(\d{1,18})"$/;
const REASON_MAX_LENGTH = 500;

/** The ETag of a user's state at `sequence`. */
export function etagOf(sequence: number): string {
  return `"${sequence}"`;
}

/** The sequences an `If-Match` value accepts; `'any'` for `*`. Weak tags never match (RFC 9110 strong comparison), so they are refused. */
export function parseIfMatch(value: string | undefined): readonly number[] | 'any' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.trim() === '*') return 'any';
  const tags = value.split(',').map((tag) => ENTITY_TAG.exec(tag.trim()));
  if (tags.some((tag) => tag === null)) {
    throw new InvalidArgumentError(
      'AUTHF-IFMATCH-400',
      'If-Match must be "<sequence>" (a quoted number, as the ETag header gives it), several of them comma-separated, or *',
    );
  }
  return tags.map((tag) => Number(tag![1]));
}

/** The `Idempotency-Key`, checked: 1 to 255 visible ASCII characters. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) throw new InvalidArgumentError('AUTHF-IDEM-400', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  return value;
}

/** `force` as a query parameter or metadata value: `true`/`false` (absent: false). */
export function parseForce(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidArgumentError('AUTHF-FORCE-400', 'force must be true or false');
}

/** The override's reason, required with `force=true`: 1 to 500 characters after trimming. */
export function checkForceReason(options: FactorCommandOptions): string | undefined {
  if (!options.force) return undefined;
  const reason = options.reason?.trim() ?? '';
  if (reason.length === 0 || reason.length > REASON_MAX_LENGTH) {
    throw new InvalidArgumentError('AUTHF-FORCE-400', `force=true needs a reason of 1 to ${REASON_MAX_LENGTH} characters`);
  }
  return reason;
}
