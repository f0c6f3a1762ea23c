import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction, TransactionRunner } from '@app/database';
import { InvalidArgumentError, NotFoundError } from '@app/errors';
import { EventStore } from '@app/eventstore';
import { IdGenerator } from '@app/ids';
import { ObjectDetails } from '../common/object-details.mapper';
import { ORG_AGGREGATE } from '../organizations/organizations.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { DeliveryStatus } from './outbox-event';
import { DeliveryRecord, OutboxRepository } from './outbox.repository';
import { nonPublicUrlReason } from './webhook-address.policy';
import { WebhookRecord, WebhooksRepository } from './webhooks.repository';

export const WebhookEventType = { Added: 'org.webhook.added' } as const;

export interface NewWebhook {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret?: string;
}

/** An organization's webhook targets and what was delivered to them. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly webhooks: WebhooksRepository,
    private readonly outbox: OutboxRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly permissions: PermissionsService,
    private readonly events: EventStore,
    private readonly ids: IdGenerator,
  ) {}

  /** Adds a webhook to the organization (needs `org.webhook.write` there); the secret is generated when not given. */
  create(caller: Caller, organizationId: string, input: NewWebhook, existing?: Transaction): Promise<{ webhook: WebhookRecord; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.authorize(tx, caller, organizationId);
      this.assertDeliverable(input.url);
      const id = this.ids.next();
      const eventTypes = [...new Set(input.eventTypes)];
      const secret = input.secret ?? `whsec-${randomBytes(24).toString('hex')}`;
      const createdAt = await this.webhooks.insert(tx, { id, organizationId, url: input.url, eventTypes, secret }, caller.userId);
      // The secret stays out of the event log: the log is history anyone auditing may read.
      const appended = await this.events.append(
        tx,
        {
          aggregateType: ORG_AGGREGATE,
          aggregateId: organizationId,
          resourceOwner: organizationId,
          creator: caller.userId,
          requestId: caller.requestId,
          origin: caller.origin,
        },
        [{ type: WebhookEventType.Added, payload: { webhookId: id, url: input.url, eventTypes } }],
      );
      return {
        webhook: { id, organizationId, url: input.url, eventTypes, secret, createdAt },
        details: { sequence: appended.sequence, date: appended.createdAt, resourceOwner: organizationId },
      };
    }, existing);
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
      await this.authorize(tx, caller, organizationId);
      if (!(await this.webhooks.findInOrganization(tx, organizationId, webhookId))) {
        throw new NotFoundError('AUTHF-WEBHOOK-404', 'Webhook not found in this organization');
      }
      return this.outbox.deliveriesOf(tx, 'webhook', webhookId, status, limit);
    });
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
    if (!(await this.organizations.exists(tx, organizationId))) throw new NotFoundError('AUTHF-ORG-404', 'Organization not found');
  }
}
