import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '@app/eventstore';
import { Principal } from './principal';

/** Longest user agent recorded; the rest of a longer one is cut off. */
const USER_AGENT_MAX_LENGTH = 512;

/** Who acts, and for which request: what commands record in their events. */
export interface Caller {
  readonly userId: string;
  readonly requestId: string;
  readonly authTime?: Date;
  /** The service itself (start-up bootstrap), never a token's subject. */
  readonly system?: true;
  /** Where the request came from, recorded in the events it writes. */
  readonly origin?: RequestOrigin;
}

/**
 * The origin of a request: `ip` is Fastify's `request.ip`, which is the connection's peer unless the peer is a
 * trusted proxy (`TRUSTED_PROXIES`), then the client `X-Forwarded-For` names.
 */
export function requestOrigin(ip: string | undefined, userAgent: string | string[] | undefined): RequestOrigin {
  const agent = Array.isArray(userAgent) ? userAgent[0] : userAgent;
  return {
    ...(ip ? { sourceAddress: ip } : {}),
    ...(agent ? { userAgent: agent.slice(0, USER_AGENT_MAX_LENGTH) } : {}),
  };
}

/** The service acting on its own behalf, for work no user asked for. */
export function systemCaller(requestId: string): Caller {
  return { userId: 'system', requestId, system: true };
}

/** Injects the authenticated {@link Caller} of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  if (!request.user) throw new Error('CurrentCaller used on a route without authentication');
  return {
    userId: request.user.userId,
    authTime: request.user.authTime,
    requestId: String(request.id),
    origin: requestOrigin(request.ip, request.headers['user-agent']),
  };
});
