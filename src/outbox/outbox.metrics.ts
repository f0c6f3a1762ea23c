import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../observability/metrics.service';
import { DELIVERY_STATUSES, DeliveryTargetKind } from './outbox-event';
import { OutboxRepository } from './outbox.repository';

const KINDS: readonly DeliveryTargetKind[] = ['webhook', 'email', 'code'];

/** The outbox's metrics, in the service's registry: deliveries by status, attempts by outcome. */
@Injectable()
export class OutboxMetrics {
  private readonly attempts: Counter<'kind' | 'outcome'>;
  private readonly unsentSecurityMails: Counter;

  constructor(metrics: MetricsService, outbox: OutboxRepository) {
    this.attempts = new Counter({
      name: 'auth_factors_outbox_delivery_attempts_total',
      help: 'Delivery attempts made by this instance, by target kind (webhook, email, code) and outcome (delivered, failed, skipped)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.unsentSecurityMails = new Counter({
      name: 'auth_factors_outbox_security_mails_unsent_total',
      help: 'Security e-mails this instance fanned out while SMTP_URL is unset: not sent, and no delivery stored for them',
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'auth_factors_outbox_deliveries',
      help: 'Deliveries stored, across instances, by target kind and status (pending, delivered, dead, skipped)',
      labelNames: ['kind', 'status'] as const,
      registers: [metrics.registry],
      async collect() {
        // A scrape while the database is away keeps the last values rather than failing the whole scrape.
        const counts = await outbox.countByStatus().catch(() => undefined);
        if (!counts) return;
        for (const kind of KINDS) for (const status of DELIVERY_STATUSES) this.set({ kind, status }, 0);
        for (const c of counts) this.set({ kind: c.targetKind, status: c.status }, c.count);
      },
    });
  }

  /** Counts one attempt's outcome. */
  countAttempt(kind: DeliveryTargetKind, outcome: 'delivered' | 'failed' | 'skipped'): void {
    this.attempts.inc({ kind, outcome });
  }

  /** Counts security e-mails left unsent for want of SMTP. */
  countUnsentSecurityMails(count: number): void {
    if (count > 0) this.unsentSecurityMails.inc(count);
  }
}
