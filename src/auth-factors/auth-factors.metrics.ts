import { Injectable } from '@nestjs/common';
import { GrpcCode, mapError } from '@app/errors';
import { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service';
import type { AuthFactorType } from './auth-factor.kind';

export type FactorChange = 'add' | 'remove';

/** The second factors' metrics, in the service's registry: changes by factor type, action and outcome. */
@Injectable()
export class AuthFactorsMetrics {
  private readonly factorChanges: Counter<'type' | 'action' | 'outcome'>;

  constructor(metrics: MetricsService) {
    this.factorChanges = new Counter({
      name: 'auth_factors_factor_changes_total',
      help: 'Second-factor additions and removals, by factor type, action and outcome (ok, or the gRPC code name of the error)',
      labelNames: ['type', 'action', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** Runs a factor command and counts its outcome: `ok`, or the gRPC code name its error maps to. */
  async countFactorChange<T>(type: AuthFactorType, action: FactorChange, command: () => Promise<T>): Promise<T> {
    try {
      const result = await command();
      this.factorChanges.inc({ type, action, outcome: 'ok' });
      return result;
    } catch (error) {
      this.factorChanges.inc({ type, action, outcome: GrpcCode[mapError(error, '').error.code] });
      throw error;
    }
  }
}
