import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { DatabaseHealthIndicator } from './database.health-indicator';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ReadinessChecks } from './readiness-checks';

/** The service's root pino logger, for servers Nest does not create (the gRPC port): their lines join the same stream. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Logs (nestjs-pino on the service's pino logger), health probes and Prometheus metrics. */
@Global()
@Module({})
export class ObservabilityModule {
  /** `logger` is the one Fastify logs requests with, so Nest's lines join the same stream and request ids. */
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        // useExisting: inside a request, Nest's Logger writes through Fastify's request logger (bound to the request id).
        // forRoutes: the library's default pattern (`{/*splat}`) matches no request with this adapter.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [{ path: '*path', method: RequestMethod.ALL }] }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [MetricsService, DatabaseHealthIndicator, ReadinessChecks, { provide: ROOT_LOGGER, useValue: logger }],
      exports: [MetricsService, ReadinessChecks, ROOT_LOGGER],
    };
  }
}
