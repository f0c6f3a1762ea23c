import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@app/errors';
import { IdGenerator } from '@app/ids';
import { ObjectDetails } from '../common/object-details.mapper';
import { OrganizationEventWriter } from '../organizations/organization-event.writer';
import { OrganizationsService } from '../organizations/organizations.service';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { DeliveryStatus, WEBHOOK_TEST_EVENT } from './outbox-event';
import type { WebhookPayload } from './outbox-event';
import { DeliveryRecord, OutboxRepository } from './outbox.repository';
import { nonPublicUrlReason } from './webhook-address.policy';
import { WebhookSender } from './webhook.sender';
import { WebhookRecord, WebhooksRepository } from './webhooks.repository';

export const WebhookEventType = {
  Added: 'org.webhook.added',
  Changed: 'org.webhook.changed',
  Removed: 'org.webhook.removed',
  SecretRotated: 'org.webhook.secret.rotated',
} as const;

export interface NewWebhook {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret?: string;
}

/** What an organization's webhook manager may change; unset fields keep their value. */
export interface WebhookUpdate {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly active?: boolean;
}

/** What came of a test delivery. */
export interface TestDeliveryResult {
  readonly delivered: boolean;
  readonly error?: string;
}

/** Webhooks an organization may have: each one adds a delivery to every event of the organization's users. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 50;

const newSecret = () => `whsec-${randomBytes(24).toString('hex')}`;

/** An organization's webhook targets and what was delivered to them. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly outbox: OutboxRepository,
    private readonly organizations: OrganizationsService,
    private readonly permissions: PermissionsService,
    private readonly writer: OrganizationEventWriter,
    private readonly ids: IdGenerator,
    private readonly sender: WebhookSender,
  ) {}

  /** Adds a webhook to the organization (needs `org.webhook.write` there); the secret is generated when not given. */
  create(
    caller: Caller,
    organizationId: string,
    input: NewWebhook,
    options: TransactionOptions = {},
  ): Promise<{ webhook: WebhookRecord; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.OrgWebhookWrite, organizationId);
      // Locked, so that concurrent additions count one after another: each webhook multiplies every event's fan-out.
      await this.organizations.lockExisting(tx, organizationId);
      if ((await this.webhooks.countInOrganization(tx, organizationId)) >= MAX_WEBHOOKS_PER_ORGANIZATION) {
        throw new FailedPreconditionError(
          'AUTHF-WEBHOOK-LIMIT',
          `An organization has at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks; remove one before adding another`,
        );
      }
      this.assertDeliverable(input.url);
      const id = this.ids.next();
      const eventTypes = [...new Set(input.eventTypes)];
      const secret = input.secret ?? newSecret();
      const createdAt = await this.webhooks.insert(tx, { id, organizationId, url: input.url, eventTypes, secret }, caller.userId);
      // The secret stays out of the event log: the log is history anyone auditing may read.
      const details = await this.record(tx, caller, organizationId, WebhookEventType.Added, { webhookId: id, url: input.url, eventTypes });
      return { webhook: { id, organizationId, url: input.url, eventTypes, secret, active: true, createdAt }, details };
    }, options.transaction);
  }

  /** Changes a webhook's URL, event types or whether it is active (needs `org.webhook.write`); recorded as an event. */
  update(caller: Caller, organizationId: string, webhookId: string, changes: WebhookUpdate): Promise<{ webhook: WebhookRecord; details: ObjectDetails }> {
    if (changes.url === undefined && changes.eventTypes === undefined && changes.active === undefined) {
      throw new InvalidArgumentError('AUTHF-WEBHOOK-EMPTY', 'Name at least one of url, eventTypes and active to change');
    }
    return this.transactions.run(async (tx) => {
      await this.existingWebhook(tx, caller, organizationId, webhookId);
      if (changes.url !== undefined) this.assertDeliverable(changes.url);
      const eventTypes = changes.eventTypes && [...new Set(changes.eventTypes)];
      const webhook = await this.webhooks.update(tx, webhookId, { url: changes.url, eventTypes, active: changes.active });
      const details = await this.record(tx, caller, organizationId, WebhookEventType.Changed, {
        webhookId,
        url: changes.url,
        eventTypes,
        active: changes.active,
      });
      return { webhook, details };
    });
  }

  /** Deletes a webhook (needs `org.webhook.write`); its pending deliveries are skipped. Recorded as an event. */
  remove(caller: Caller, organizationId: string, webhookId: string): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      await this.existingWebhook(tx, caller, organizationId, webhookId);
      await this.webhooks.remove(tx, webhookId);
      return this.record(tx, caller, organizationId, WebhookEventType.Removed, { webhookId });
    });
  }

  /** Replaces a webhook's signing secret with a generated one, returned only here (needs `org.webhook.write`). */
  rotateSecret(caller: Caller, organizationId: string, webhookId: string): Promise<{ secret: string; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.existingWebhook(tx, caller, organizationId, webhookId);
      const secret = newSecret();
      await this.webhooks.update(tx, webhookId, { secret });
      // The event says that it changed, never to what.
      return { secret, details: await this.record(tx, caller, organizationId, WebhookEventType.SecretRotated, { webhookId }) };
    });
  }

  /**
   * POSTs a signed `webhook.test` event to the webhook now, as a delivery would (same address policy, timeout and
   * signature), and says what came of it; nothing is stored. Needs `org.webhook.write`.
   */
  async sendTest(caller: Caller, organizationId: string, webhookId: string): Promise<TestDeliveryResult> {
    const webhook = await this.transactions.run((tx) => this.existingWebhook(tx, caller, organizationId, webhookId));
    const payload: WebhookPayload = {
      id: `test-${randomBytes(8).toString('hex')}`,
      type: WEBHOOK_TEST_EVENT,
      userId: caller.userId,
      organizationId,
      sequence: '0',
      createdAt: new Date().toISOString(),
      actor: caller.userId,
      actorKind: 'admin',
    };
    try {
      await this.sender.send(webhook, payload, 1);
      return { delivered: true };
    } catch (error) {
      return { delivered: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The organization's webhooks (needs `org.webhook.write` there). */
  list(caller: Caller, organizationId: string): Promise<WebhookRecord[]> {
    return this.transactions.run(async (tx) => {
      await this.authorize(tx, caller, organizationId);
      return this.webhooks.listByOrganization(tx, organizationId);
    });
  }

  /** A webhook's deliveries, newest first, optionally of one status (dead letters: `dead`). */
  deliveries(caller: Caller, organizationId: string, webhookId: string, status: DeliveryStatus | undefined, limit: number): Promise<DeliveryRecord[]> {
    return this.transactions.run(async (tx) => {
      await this.existingWebhook(tx, caller, organizationId, webhookId);
      return this.outbox.deliveriesOf(tx, 'webhook', webhookId, status, limit);
    });
  }

  /** The webhook after the caller's permission check, locked for the transaction; 404 when the organization has none of that id. */
  private async existingWebhook(tx: Transaction, caller: Caller, organizationId: string, webhookId: string): Promise<WebhookRecord> {
    await this.authorize(tx, caller, organizationId);
    const webhook = await this.webhooks.findInOrganization(tx, organizationId, webhookId, true);
    if (!webhook) throw new NotFoundError('AUTHF-WEBHOOK-404', 'Webhook not found in this organization');
    return webhook;
  }

  /** Appends a webhook event to the organization's log: who changed which webhook, without secrets (unset fields left out). */
  private record(tx: Transaction, caller: Caller, organizationId: string, type: string, payload: Record<string, unknown>): Promise<ObjectDetails> {
    return this.writer.write(tx, organizationId, caller, [
      { type, payload: Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined)) },
    ]);
  }

  /** Refuses a URL no delivery could go to (see WebhookSender): told now rather than in every delivery's lastError. */
  private assertDeliverable(url: string): void {
    const reason = this.config.outbox.webhookAllowPrivateNetworks ? undefined : nonPublicUrlReason(url);
    if (reason) {
      throw new InvalidArgumentError('AUTHF-WEBHOOK-URL', `The webhook URL must point to a public address: ${reason} (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`);
    }
  }

  private async authorize(tx: Transaction, caller: Caller, organizationId: string): Promise<void> {
    await this.permissions.authorizeInOrganization(tx, caller, Permission.OrgWebhookWrite, organizationId);
    await this.organizations.assertExists(tx, organizationId);
  }
}
