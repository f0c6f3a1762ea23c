import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ResourceExhaustedError } from './domain.error';
import { toErrorBody } from './error-body';
import { describeCause, mapError } from './error-mapper';
import { GrpcCode } from './grpc-code';
import { KnownRoutes } from './known-routes';

/** The one place where anything thrown while serving HTTP becomes the spec's error body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly routes: KnownRoutes) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = String(request.id);
    let { error, cause } = mapError(exception, requestId);
    if (exception instanceof NotFoundException && this.routes.hasPath(request.url.split('?')[0])) {
      error = new DomainError(GrpcCode.UNIMPLEMENTED, 'AUTHF-ROUTE-405', `${request.method} is not allowed on this route`, 405);
    }
    if (cause !== undefined) {
      const level = error.code === GrpcCode.UNAVAILABLE ? 'warn' : 'error';
      this.logger[level](
        `${request.method} ${request.url} failed (request ${requestId}): ${describeCause(cause)}`,
        cause instanceof Error && level === 'error' ? cause.stack : undefined,
      );
    }
    if (reply.sent) return;
    if (error instanceof ResourceExhaustedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    void reply.status(error.httpStatus).header('content-type', 'application/json; charset=utf-8').send(toErrorBody(error));
  }
}
