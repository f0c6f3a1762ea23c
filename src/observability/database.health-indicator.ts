import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/** PostgreSQL answers, through the service's own pool, within a bound. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  /** `up` when `SELECT 1` answers within `timeoutMs`. */
  check(key = 'database', timeoutMs = 1000) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        // Raw: a ping, reading no table.
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(timeoutMs);
  }
}
