import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, trustProxyOf } from '@app/config';
import { InvalidArgumentError, KnownRoutes } from '@app/errors';
import { AppModule } from './app.module';
import { Bootstrapped, BootstrapService } from './bootstrap/bootstrap.service';
import { connectionLimitsOf, limitConnections, serverOptions } from './common/connection-limits';
import { answerFrameworkError } from './common/error-reply';
import { assertJsonDepth, assertStorableText } from './common/request-text';
import { ConnectServices } from './grpc/connect-services';
import { MetricsService } from './observability/metrics.service';
import { NestLogBridge } from './observability/nest-log-bridge';
import { requestIdOf } from './observability/request-id';
import { observeRequests, RequestLogController } from './observability/request-log.controller';
import { createRootLogger } from './observability/root-logger.factory';
import { setupSwaggerUi } from './openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AuthFactorsApp {
  readonly app: NestFastifyApplication;
  readonly bootstrapped: Bootstrapped;
}

export interface CreateAppOptions {
  /** Where log lines go instead of stdout (the tests read them). */
  readonly logDestination?: DestinationStream;
}

/** Builds the whole service, initialised and bootstrapped but not listening: main and the tests share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<AuthFactorsApp> {
  const logger = createRootLogger(config, options.logDestination);
  const limits = connectionLimitsOf(config);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(),
    // On close: idle keep-alive connections are dropped at once, in-flight requests are answered first.
    forceCloseConnections: 'idle',
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false, // requestIdOf reads x-request-id, and refuses an overlong one
    genReqId: requestIdOf,
    // request.ip: the connection's peer, or X-Forwarded-For's client when the peer is one of these.
    trustProxy: trustProxyOf(config),
    routerOptions: { maxParamLength: 1000 },
    ...serverOptions(limits),
    frameworkErrors: answerFrameworkError,
  });
  const nestLogs = new NestLogBridge(logger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { logger }), adapter, {
    logger: nestLogs,
    abortOnError: false, // a failure reaches the caller (main reports it), instead of Nest exiting the process
    bodyParser: false, // ours below: JSON only, and an empty body is no body
  });
  nestLogs.delegateTo(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  observeRequests(fastify, metrics);
  limitConnections(fastify, limits);
  // Shutting down: responses still in flight close their connection, so closing the server does not wait on keep-alive.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  const routes = app.get(KnownRoutes);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // JSON only: Fastify also parses text/plain by default and would hand such bodies to the handlers.
  // DELETE and the empty-bodied POSTs may arrive with a JSON content type and no body.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  // Depth and text are checked here, before the validation pipe transforms anything (see request-text.ts).
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      assertJsonDepth(body as string);
    } catch (error) {
      return done(error as Error, undefined);
    }
    void parseJson(request, body as string, (error, value) => {
      if (error) return done(new InvalidArgumentError('AUTHF-REQ-JSON', 'The request body is not valid JSON'), undefined);
      try {
        assertStorableText(value);
      } catch (refused) {
        return done(refused as Error, undefined);
      }
      done(null, value);
    });
  });
  // ZITADEL's RPCs over Connect and gRPC-web next to the REST routes; gRPC (HTTP/2) has its own port (GrpcServer).
  await fastify.register(app.get(ConnectServices).plugin);
  setupSwaggerUi(app);
  await app.init();
  const bootstrapped = await app.get(BootstrapService).run();
  return { app, bootstrapped };
}
