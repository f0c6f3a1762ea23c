import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '@app/auth';
import { UnavailableError } from '@app/errors';
import { DatabaseHealthIndicator } from './database.health-indicator';
import { ReadinessChecks } from './readiness-checks';

/** Liveness and readiness probes for orchestrators and load balancers. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly readinessChecks: ReadinessChecks,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('healthz')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Ready for traffic: PostgreSQL answers and the contributed checks (the outbox dispatcher) pass. Not ready
   * is a 503 with the service's error body naming the checks that are down, never their causes: the route is
   * open to anyone, and a driver's message names internal hosts and ports (the log has it in full).
   */
  @Get('readyz')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database'), ...this.readinessChecks.all()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      throw new UnavailableError('AUTHF-HEALTH-503', `The service is not ready: ${downChecks(Object.keys(result.error ?? {}))}`);
    }
  }
}

/** "database is down", "database and outbox are down": the checks that failed, never why. */
function downChecks(names: readonly string[]): string {
  if (names.length === 0) return 'a check failed';
  if (names.length === 1) return `${names[0]} is down`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are down`;
}
