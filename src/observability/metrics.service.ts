import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** The parts of pg's Pool the gauges read. */
interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * The service's Prometheus metrics, in a registry of its own per application
 * instance (several instances may share a process, as in the tests). Features
 * register their own metrics in it (AuthFactorsMetrics, OutboxMetrics), so this
 * module imports none of them.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'auth_factors_http_requests_total',
    help: 'HTTP requests served, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'auth_factors_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(private readonly dataSource: DataSource) {
    const pool = () => (this.dataSource.driver as unknown as { master?: PoolCounts } | undefined)?.master;
    const poolGauge = (name: string, help: string, read: (p: PoolCounts) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const counts = pool();
          this.set(counts ? read(counts) : 0);
        },
      });
    poolGauge('auth_factors_db_pool_connections', 'Connections the database pool holds open', (p) => p.totalCount);
    poolGauge('auth_factors_db_pool_idle_connections', 'Open pool connections not in use', (p) => p.idleCount);
    poolGauge('auth_factors_db_pool_in_use_connections', 'Pool connections checked out by a query or transaction', (p) => p.totalCount - p.idleCount);
    poolGauge('auth_factors_db_pool_waiting_clients', 'Queries and transactions waiting for a pool connection', (p) => p.waitingCount);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** The metrics in Prometheus' text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
