import { FastifyInstance, FastifyReply, FastifyRequest, LogController } from 'fastify';
import type { MetricsService } from './metrics.service';
import type { Principal } from '@app/auth';

/** The route label of requests no route matched: one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Fastify's request log lines, reduced to one line per request: the route
 * pattern (never the raw URL), status, duration and acting user, on the
 * request's logger (so it carries the request id). The line "incoming request"
 * is dropped.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      userId: (request as FastifyRequest & { user?: Principal }).user?.userId,
    };
    if (error || status >= 500) reply.log.error(error ? { ...line, err: error } : line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}

/** Counts every answered request of a Fastify instance (either port) in the request metrics, by route pattern. */
export function observeRequests(instance: FastifyInstance<any, any, any, any, any>, metrics: MetricsService): void {
  instance.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
