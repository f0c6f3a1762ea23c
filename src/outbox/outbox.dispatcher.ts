import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction, TransactionRunner } from '@app/database';
import { ReadinessChecks } from '../observability/readiness-checks';
import { systemCaller } from '@app/auth';
import { UserEventWriter } from '../users/user-event.writer';
import { PendingCodeDelivery, VerificationCodesService } from '../verification/verification-codes.service';
import { codeMessage } from './code-message';
import { codeToSend, DeliveryStatus, isWebhookEvent, needsSecurityMail, securityMailRecipient, subscribes, toWebhookPayload } from './outbox-event';
import { AttemptResult, ClaimedDelivery, NewDelivery, OutboxRepository, targetKey } from './outbox.repository';
import { OutboxMetrics } from './outbox.metrics';
import { MailSender } from './mail.sender';
import { SmsSender } from './sms.sender';
import { WebhookSender } from './webhook.sender';
import { WebhooksRepository } from './webhooks.repository';

// Bounds one poll's work, so that a stop is not kept waiting by a long backlog.
const MAX_BATCHES_PER_POLL = 20;

// A claim's lease is twice the bound of an attempt plus this: room to record the outcomes (a connection, a few statements).
const LEASE_MARGIN_MS = 5_000;

/** An attempt made, with the retry it calls for (undefined: none, the delivery ends or is dead-lettered). */
interface Outcome {
  readonly delivery: ClaimedDelivery;
  readonly result: AttemptResult;
  readonly retryInMs?: number;
  /** The code a `code` delivery sent (or, with no provider, logged), to be recorded with the outcome. */
  readonly code?: PendingCodeDelivery;
}

/**
 * Rejects with "no answer within `ms` ms" when `work` takes longer: bounds an attempt as a whole (nodemailer's
 * timeouts are per phase), so that it ends within its claim's lease. The send is not cancelled: one that still
 * succeeds is recorded as failed and made again, a duplicate that at-least-once delivery allows.
 */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * The outbox dispatcher: fans new events out into deliveries, then claims due
 * deliveries in batches and makes one attempt at each. Every instance runs one;
 * the cursor's row lock and the claims' leases keep them from doing the same work at once.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private running = false;
  private startedAt?: Date;
  private lastSuccessAt?: Date;
  private lastFailure?: { at: Date; message: string };
  /** Attempts in flight, by delivery id, with their target's key. */
  private readonly attempts = new Map<string, { readonly target: string; readonly done: Promise<void> }>();
  private wakeAfterRound = false;
  /** Deliveries claimed since start: tells poll whether a round found work. */
  private claimedCount = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly outbox: OutboxRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly webhookSender: WebhookSender,
    private readonly mailSender: MailSender,
    private readonly smsSender: SmsSender,
    private readonly codes: VerificationCodesService,
    private readonly writer: UserEventWriter,
    private readonly metrics: OutboxMetrics,
    private readonly readiness: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.startedAt = new Date();
    this.readiness.register('outbox', () => Promise.resolve(this.health('outbox')));
    if (!this.mailSender.enabled) {
      this.logger.log(
        'SMTP_URL is unset: security e-mails are not sent, and no delivery is stored for them (counted in auth_factors_outbox_security_mails_unsent_total)',
      );
    }
    this.schedule(0);
  }

  /** Stops polling and waits for the round and the attempts in flight (each bounded), before the database pool closes. */
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round;
    await Promise.all([...this.attempts.values()].map((a) => a.done));
  }

  /**
   * Delivers what is due now and resolves once every attempt is recorded (for callers that need the outcome now);
   * the dispatcher's own schedule does not wait for attempts (see deliverBatch). Resolves with whether due deliveries were left.
   */
  async poll(): Promise<boolean> {
    // A webhook takes one delivery per round (see OutboxRepository.claimDue): rounds follow while they claim any.
    for (let round = 0; ; round++) {
      const claimedBefore = this.claimedCount;
      const backlog = await this.runRound();
      await Promise.all([...this.attempts.values()].map((a) => a.done));
      if (this.claimedCount === claimedBefore || !this.running || round === MAX_BATCHES_PER_POLL) return backlog;
    }
  }

  /** One round: fan out every finished new event, then start attempts at due deliveries. Resolves with whether due deliveries were left. */
  private async runRound(): Promise<boolean> {
    try {
      while (this.running && (await this.fanOut()) === this.config.outbox.batchSize) {
        // a full batch: more events may be waiting
      }
      // Claims while slots are free and deliveries due; attempts ending later wake the dispatcher again (see wake).
      let backlog = false;
      for (let batch = 0; this.running && batch < MAX_BATCHES_PER_POLL; batch++) {
        const claimed = await this.deliverBatch();
        backlog = claimed > 0 && batch === MAX_BATCHES_PER_POLL - 1;
        if (claimed === 0) break;
      }
      this.lastSuccessAt = new Date();
      return backlog;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.lastFailure = { at: new Date(), message };
      this.logger.warn(`Outbox poll failed: ${message}`);
      return false;
    }
  }

  /** Readiness: running, its last round did not fail, and rounds still happen. */
  health(key: string): HealthIndicatorResult {
    const down = (message: string) => ({ [key]: { status: 'down' as const, message } });
    if (!this.running) return down('the dispatcher is not running');
    if (this.lastFailure && (!this.lastSuccessAt || this.lastFailure.at > this.lastSuccessAt)) return down(`the last poll failed: ${this.lastFailure.message}`);
    const stalledAfterMs = this.config.outbox.pollIntervalMs * 3 + this.config.outbox.deliveryTimeoutMs * MAX_BATCHES_PER_POLL + 30_000;
    const since = this.lastSuccessAt ?? this.startedAt!;
    if (Date.now() - since.getTime() > stalledAfterMs) return down(`no poll finished since ${since.toISOString()}`);
    return { [key]: { status: 'up' as const, lastPollAt: this.lastSuccessAt?.toISOString() } };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      // A round that stopped at its batch limit with deliveries still due is followed at once, not after the interval:
      // under sustained load the interval would cap delivery at MAX_BATCHES_PER_POLL batches per interval.
      this.round = this.runRound().then((backlog) => {
        this.round = undefined;
        const again = backlog || this.wakeAfterRound;
        this.wakeAfterRound = false;
        this.schedule(again ? 0 : this.config.outbox.pollIntervalMs);
      });
    }, delayMs);
  }

  /**
   * Turns the next finished events into deliveries and advances the cursor, in
   * one transaction: a crash before commit leaves both as they were, so no event
   * is skipped, and a delivery is stored once per event and target. Returns how
   * many events it read; 0 also when another instance holds the cursor.
   */
  private async fanOut(): Promise<number> {
    let unsentMails = 0;
    const read = await this.transactions.run(async (tx) => {
      unsentMails = 0;
      const cursor = await this.outbox.lockCursor(tx);
      if (!cursor) return 0;
      const events = await this.outbox.eventsAfter(tx, cursor, this.config.outbox.batchSize);
      if (events.length === 0) return 0;
      const organizations = [...new Set(events.filter(isWebhookEvent).map((e) => e.resourceOwner))];
      const webhooks = await this.webhooks.listByOrganizations(tx, organizations);
      const deliveries: NewDelivery[] = [];
      for (const event of events) {
        if (isWebhookEvent(event)) {
          for (const webhook of webhooks) {
            if (webhook.organizationId === event.resourceOwner && subscribes(webhook.eventTypes, event.type)) {
              deliveries.push({ eventId: event.id, targetKind: 'webhook', targetId: webhook.id, organizationId: event.resourceOwner });
            }
          }
        }
        // Without SMTP (a setting of this start) such an e-mail can only be skipped: counted, not stored as a delivery
        // to claim and record as skipped, which cost three statements per factor change.
        if (needsSecurityMail(event) && !this.mailSender.enabled) unsentMails++;
        else if (needsSecurityMail(event))
          deliveries.push({ eventId: event.id, targetKind: 'email', targetId: event.aggregateId, organizationId: event.resourceOwner });
        const codeId = codeToSend(event);
        if (codeId !== undefined) deliveries.push({ eventId: event.id, targetKind: 'code', targetId: codeId, organizationId: event.resourceOwner });
      }
      await this.outbox.insertDeliveries(tx, deliveries);
      const last = events[events.length - 1];
      await this.outbox.advanceCursor(tx, { txId: last.txId, eventId: last.id });
      return events.length;
    });
    this.metrics.countUnsentSecurityMails(unsentMails);
    return read;
  }

  /**
   * Claims due deliveries for a lease, as many as free slots (`batchSize` attempts in flight at most), and starts an
   * attempt at each without waiting for it: each attempt records its own outcome, in a transaction of its own, and
   * frees its slot for the next claim. So a receiver that never answers holds one slot until its attempt times out,
   * never the whole batch, and one webhook has one attempt in flight at a time (see OutboxRepository.claimDue).
   * Nothing is held while receivers answer: no pooled connection idles in a transaction, and no transaction id holds
   * back the fan-out of any instance (see OutboxRepository.eventsAfter). A crash after the claim leaves the
   * deliveries pending until the lease ends; then any instance attempts them again (at least once: receivers
   * de-duplicate on the event id). An outcome recorded after the lease ran out is dropped if another instance has
   * recorded its own attempt meanwhile. Returns how many it claimed.
   */
  private async deliverBatch(): Promise<number> {
    const { batchSize, deliveryTimeoutMs } = this.config.outbox;
    const free = batchSize - this.attempts.size;
    if (free <= 0) return 0;
    const leaseMs = deliveryTimeoutMs * 2 + LEASE_MARGIN_MS;
    const busy = [...new Set([...this.attempts.values()].flatMap((a) => (a.target.startsWith('webhook:') ? [a.target] : [])))];
    const claimed = await this.transactions.run((tx) => this.outbox.claimDue(tx, free, leaseMs, busy));
    this.claimedCount += claimed.length;
    const saturated = claimed.length === free;
    for (const delivery of claimed) {
      const attempt = this.attemptAndRecord(delivery).finally(() => {
        this.attempts.delete(delivery.id);
        // A webhook gets one delivery per claim, so its next one may be due already; otherwise only a full claim left work behind.
        if (delivery.targetKind === 'webhook' || saturated) this.wake();
      });
      this.attempts.set(delivery.id, { target: targetKey(delivery), done: attempt });
    }
    return claimed.length;
  }

  /** One attempt, its outcome recorded (and, on failure, its target backed off), then reported. Never rejects. */
  private async attemptAndRecord(delivery: ClaimedDelivery): Promise<void> {
    try {
      const { result, code } = await this.attempt(delivery);
      this.metrics.countAttempt(delivery.targetKind, result.outcome);
      const attempt = delivery.attempts + 1;
      const retryInMs = result.outcome === 'failed' && attempt < this.config.outbox.maxAttempts ? this.backoffMs(attempt) : undefined;
      const status = await this.transactions.run(async (tx) => {
        const recorded = await this.outbox.recordAttempt(tx, delivery, result, retryInMs);
        if (recorded === 'delivered' && code) await this.recordCodeSent(tx, delivery, code);
        else if (recorded === 'skipped' && code) await this.codes.dropPendingDelivery(tx, code);
        if (recorded !== undefined && retryInMs !== undefined && delivery.targetKind === 'webhook') {
          await this.outbox.postponeTarget(tx, delivery.targetKind, delivery.targetId, retryInMs);
        }
        return recorded;
      });
      this.report({ delivery, result, retryInMs, code }, status);
    } catch (error) {
      // Recording failed (the database, say): the claim's lease runs out and the delivery is attempted again.
      this.logger.warn(`Recording an attempt of delivery ${delivery.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** An attempt ended and freed a slot while work may be waiting: claim again now rather than after the poll interval. */
  private wake(): void {
    if (!this.running) return;
    if (this.round) {
      this.wakeAfterRound = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Logs what came of an attempt; `status` undefined: not recorded, as the claim no longer stood. */
  private report({ delivery, result, retryInMs }: Outcome, status: DeliveryStatus | undefined): void {
    const attempt = delivery.attempts + 1;
    const what = `${delivery.targetKind} delivery ${delivery.id} of event ${delivery.event.id} (${delivery.event.type})`;
    if (status === undefined)
      this.logger.warn(`Attempt ${attempt} of ${what} (${result.outcome}) dropped: its lease ran out and another instance recorded first`);
    else if (status === 'dead') this.logger.warn(`Dead-lettered ${what} after ${attempt} attempts: ${result.error}`);
    else if (result.outcome === 'failed') this.logger.log(`Attempt ${attempt} of ${what} failed (${result.error}); next in ${retryInMs} ms`);
  }

  /** Exponential: base, 2×base, 4×base, … up to the maximum, with ±20 % jitter so that retries spread out. */
  private backoffMs(attempt: number): number {
    const { retryBaseMs, retryMaxMs } = this.config.outbox;
    const exact = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1));
    return Math.round(exact * (0.8 + Math.random() * 0.4));
  }

  /** Drops the sent code's encrypted copy and records the send in the user's stream, with the attempt's outcome. */
  private async recordCodeSent(tx: Transaction, delivery: ClaimedDelivery, code: PendingCodeDelivery): Promise<void> {
    const event = await this.codes.markSent(tx, code);
    if (event) await this.writer.write(tx, code.user, systemCaller(delivery.event.requestId ?? `outbox-${delivery.id}`), [event]);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<{ result: AttemptResult; code?: PendingCodeDelivery }> {
    const startedAt = new Date();
    try {
      if (delivery.targetKind === 'webhook') {
        if (!delivery.webhook) return { result: { outcome: 'skipped', startedAt, error: 'the webhook no longer exists' } };
        if (!delivery.webhook.active) return { result: { outcome: 'skipped', startedAt, error: 'the webhook is paused' } };
        await within(this.config.outbox.deliveryTimeoutMs, this.webhookSender.send(delivery.webhook, toWebhookPayload(delivery.event), delivery.attempts + 1));
        return { result: { outcome: 'delivered', startedAt } };
      }
      if (delivery.targetKind === 'code') return await this.sendCode(delivery, startedAt);
      const to = securityMailRecipient(delivery.event, delivery.verifiedEmail);
      const skip = !this.mailSender.enabled ? 'SMTP_URL is unset' : !to ? 'the user has no verified e-mail address' : undefined;
      if (skip) {
        this.logger.log(`Security e-mail for event ${delivery.event.id} (${delivery.event.type}) to user ${delivery.targetId} skipped: ${skip}`);
        return { result: { outcome: 'skipped', startedAt, error: skip } };
      }
      await within(this.config.outbox.deliveryTimeoutMs, this.mailSender.sendSecurityNotice(to!, delivery.event));
      return { result: { outcome: 'delivered', startedAt } };
    } catch (error) {
      return { result: { outcome: 'failed', startedAt, error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /**
   * Sends a code to the destination it was issued for. With no provider (development only: production refuses
   * such a code when it is asked for) the code is logged, so that it can be tried, and the delivery skipped.
   */
  private async sendCode(delivery: ClaimedDelivery, startedAt: Date): Promise<{ result: AttemptResult; code?: PendingCodeDelivery }> {
    const code = await this.codes.pendingDelivery(delivery.targetId);
    if (!code) return { result: { outcome: 'skipped', startedAt, error: 'the code was sent, used or replaced, or has expired' } };
    const message = codeMessage(code);
    const sms = code.purpose.channel === 'sms';
    if (!(sms ? this.smsSender.enabled : this.mailSender.enabled)) {
      const setting = sms ? 'SMS_PROVIDER is none' : 'SMTP_URL is unset';
      this.logger.log(`${setting}: the ${code.purpose.label} for user ${code.user.id} (${code.destination}) is ${code.code}`);
      return { result: { outcome: 'skipped', startedAt, error: setting }, code };
    }
    const sending = sms
      ? this.smsSender.send({ to: code.destination, text: message.text, reference: code.codeId })
      : this.mailSender.send(code.destination, message, { 'X-AuthFactors-Code-Id': code.codeId });
    await within(this.config.outbox.deliveryTimeoutMs, sending);
    return { result: { outcome: 'delivered', startedAt }, code };
  }
}
