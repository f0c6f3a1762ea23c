import { randomUUID } from 'node:crypto';
import type { Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import fastify, { FastifyHttp2Options, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { APP_CONFIG, trustProxyOf } from '@app/config';
import type { AppConfig } from '@app/config';
import { mapError, NotFoundError } from '@app/errors';
import { connectionLimitsOf, limitConnections, serverOptions } from '../common/connection-limits';
import { answerFrameworkError, sendError } from '../common/error-reply';
import { MetricsService } from '../observability/metrics.service';
import { ROOT_LOGGER } from '../observability/observability.module';
import { observeRequests, RequestLogController } from '../observability/request-log.controller';
import { ConnectServices } from './connect-services';

/**
 * gRPC needs HTTP/2; the main port speaks HTTP/1.1, and plain-text HTTP/2 (h2c)
 * cannot share a port with it cleanly. So the RPCs are also served on a port of
 * their own, over h2c (gRPC; Connect and gRPC-web work there too), under the
 * main port's limits, logs, metrics and error body.
 */
@Injectable()
export class GrpcServer implements BeforeApplicationShutdown, OnApplicationShutdown {
  private server?: FastifyInstance<Http2Server>;
  private closing?: Promise<void>;

  constructor(
    private readonly services: ConnectServices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts serving; returns the bound port (`port` 0: any free one). */
  async listen(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the gRPC server is already listening');
    const limits = connectionLimitsOf(this.config);
    const options: FastifyHttp2Options<Http2Server> = {
      http2: true,
      loggerInstance: this.logger,
      logController: new RequestLogController(),
      requestIdHeader: 'x-request-id',
      genReqId: () => randomUUID(),
      trustProxy: trustProxyOf(this.config),
      ...serverOptions(limits),
      frameworkErrors: answerFrameworkError,
    };
    const server = fastify(options);
    server.addHook('onRequest', (request, reply, done) => {
      void reply.header('x-request-id', request.id);
      done();
    });
    observeRequests(server, this.metrics);
    limitConnections(server, limits);
    server.setNotFoundHandler((_request, reply) => sendError(reply, new NotFoundError('AUTHF-ROUTE-404', 'No such route')));
    server.setErrorHandler((error, request, reply) => sendError(reply, mapError(error, String(request.id)).error));
    await server.register(this.services.plugin);
    await server.listen({ port, host });
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  /** Starts closing before the main port does, so that the two ports' grace periods run at once, not one after the other. */
  beforeApplicationShutdown(): void {
    this.closing ??= this.server?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await (this.closing ?? this.server?.close());
    this.server = undefined;
    this.closing = undefined;
  }
}
