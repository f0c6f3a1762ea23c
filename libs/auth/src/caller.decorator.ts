import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal } from './principal';

/** Who acts, and for which request: what commands record in their events. */
export interface Caller {
  readonly userId: string;
  readonly requestId: string;
  readonly authTime?: Date;
  /** The service itself (start-up bootstrap), never a token's subject. */
  readonly system?: true;
}

/** The service acting on its own behalf, for work no user asked for. */
export function systemCaller(requestId: string): Caller {
  return { userId: 'system', requestId, system: true };
}

/** Injects the authenticated {@link Caller} of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  if (!request.user) throw new Error('CurrentCaller used on a route without authentication');
  return { userId: request.user.userId, authTime: request.user.authTime, requestId: String(request.id) };
});
