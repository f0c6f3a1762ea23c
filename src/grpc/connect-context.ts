import { createContextKey, HandlerContext } from '@connectrpc/connect';
import type { BearerRequest, Caller } from '@app/auth';
import type { RequestOrigin } from '@app/eventstore';
import { etagOf, parseForce } from '../auth-factors/factor-command.options';
import type { FactorCommandOptions } from '../auth-factors/factor-command.options';

/** The request id of the RPC (Fastify's, from `x-request-id` or generated). */
export const REQUEST_ID = createContextKey<string>('', { description: 'request id' });

/** Where the RPC came from (source address and user agent), as the REST routes record it. */
export const REQUEST_ORIGIN = createContextKey<RequestOrigin>({}, { description: 'request origin' });

/** The HTTP request of the RPC, for its headers as sent (Connect's keep only Node's first of repeated ones): authentication reads it. */
export const BEARER_REQUEST = createContextKey<BearerRequest>({ raw: { rawHeaders: [] } }, { description: 'the request authentication reads' });

/** The authenticated caller, set by the authentication interceptor. */
export const CALLER = createContextKey<Caller | undefined>(undefined, { description: 'authenticated caller' });

/** The caller of an RPC; every RPC passes the authentication interceptor first. */
export function callerOf(context: HandlerContext): Caller {
  const caller = context.values.get(CALLER);
  if (!caller) throw new Error('RPC served without authentication');
  return caller;
}

/**
 * The factor protections of an RPC, from its metadata (the REST headers' names):
 * `if-match`, `idempotency-key`, and for removals `x-force` (`true`) with `x-force-reason`.
 */
export function factorCommandOptionsOf(context: HandlerContext): FactorCommandOptions {
  const header = (name: string) => context.requestHeader.get(name) ?? undefined;
  return { ifMatch: header('if-match'), idempotencyKey: header('idempotency-key'), force: parseForce(header('x-force')), reason: header('x-force-reason') };
}

/** Sends the user's sequence as the `etag` response metadata, as the REST routes do. */
export function setEtag(context: HandlerContext, sequence: number): void {
  context.responseHeader.set('etag', etagOf(sequence));
}
