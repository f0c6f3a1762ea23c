import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/** Readiness checks other modules contribute to `/readyz`, next to the database's. */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, HealthIndicatorFunction>();

  /** Adds (or replaces) the check reported under `key`. */
  register(key: string, check: HealthIndicatorFunction): void {
    this.checks.set(key, check);
  }

  /** Every registered check, in registration order. */
  all(): HealthIndicatorFunction[] {
    return [...this.checks.values()];
  }
}
