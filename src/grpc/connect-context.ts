import { createContextKey, HandlerContext } from '@connectrpc/connect';
import type { Caller } from '@app/auth';

/** The request id of the RPC (Fastify's, from `x-request-id` or generated). */
export const REQUEST_ID = createContextKey<string>('', { description: 'request id' });

/** The authenticated caller, set by the authentication interceptor. */
export const CALLER = createContextKey<Caller | undefined>(undefined, { description: 'authenticated caller' });

/** The caller of an RPC; every RPC passes the authentication interceptor first. */
export function callerOf(context: HandlerContext): Caller {
  const caller = context.values.get(CALLER);
  if (!caller) throw new Error('RPC served without authentication');
  return caller;
}
