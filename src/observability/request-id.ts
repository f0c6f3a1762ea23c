import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Longest `x-request-id` taken from a client: enough for a UUID, a trace id or a prefixed ULID. */
export const MAX_REQUEST_ID_LENGTH = 128;
const REQUEST_ID = /^[\w.:/+=@-]+$/;

/**
 * The client's `x-request-id` when it is a short token of safe characters, else a new UUID: the id is
 * echoed in a header and written on every log line of the request, so a client cannot make it long
 * or put control characters into the logs.
 */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && sent.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID.test(sent) ? sent : randomUUID();
}
