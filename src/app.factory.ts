import { randomUUID } from 'node:crypto';
import { LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, LogLevel } from '@app/config';
import { InvalidArgumentError, KnownRoutes } from '@app/errors';
import { AppModule } from './app.module';
import { Bootstrapped, BootstrapService } from './bootstrap/bootstrap.service';
import { setupSwaggerUi } from './openapi';

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AuthFactorsApp {
  readonly app: NestFastifyApplication;
  readonly bootstrapped: Bootstrapped;
}

/** Builds the whole service, initialised and bootstrapped but not listening: main and the tests share it. */
export async function createApp(config: AppConfig): Promise<AuthFactorsApp> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: NEST_LEVELS[config.logLevel],
    bodyParser: false, // ours below: JSON only, and an empty body is no body
  });
  const fastify = app.getHttpAdapter().getInstance();
  const routes = app.get(KnownRoutes);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // DELETE and the empty-bodied POSTs may arrive with a JSON content type and no body.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    void parseJson(request, body as string, (error, value) =>
      error ? done(new InvalidArgumentError('AUTHF-REQ-JSON', 'The request body is not valid JSON'), undefined) : done(null, value),
    );
  });
  setupSwaggerUi(app);
  app.enableShutdownHooks();
  await app.init();
  const bootstrapped = await app.get(BootstrapService).run();
  return { app, bootstrapped };
}
