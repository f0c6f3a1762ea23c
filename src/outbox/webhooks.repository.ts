import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { In } from 'typeorm';
import { WebhookEntity } from './entities/webhook.entity';

/** A webhook target of an organization. */
export interface WebhookRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret: string;
  /** Paused when false: new events are not fanned out to it. */
  readonly active: boolean;
  readonly createdAt: Date;
}

/** What an update may change; unset fields keep their value. */
export interface WebhookChanges {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly active?: boolean;
  readonly secret?: string;
}

/** A row as UPDATE ... RETURNING hands it back: column names, not the entity's properties. */
interface ReturnedWebhookRow {
  id: string;
  organization_id: string;
  url: string;
  event_types: string[];
  secret: string;
  active: boolean;
  created_at: Date;
}

function toRecord(webhook: WebhookEntity): WebhookRecord {
  return {
    id: webhook.id,
    organizationId: webhook.organizationId,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    secret: webhook.secret,
    active: webhook.active,
    createdAt: webhook.createdAt,
  };
}

/** The organizations' webhook targets. */
@Injectable()
export class WebhooksRepository {
  /** Stores a webhook; returns its creation time. */
  async insert(tx: Transaction, webhook: Omit<WebhookRecord, 'createdAt' | 'active'>, creator: string): Promise<Date> {
    const { generatedMaps } = await tx.manager.insert(WebhookEntity, {
      id: webhook.id,
      organizationId: webhook.organizationId,
      url: webhook.url,
      eventTypes: [...webhook.eventTypes],
      secret: webhook.secret,
      creator,
    });
    return (generatedMaps[0] as Pick<WebhookEntity, 'createdAt'>).createdAt;
  }

  /** How many webhooks the organization has. */
  countInOrganization(tx: Transaction, organizationId: string): Promise<number> {
    return tx.manager.countBy(WebhookEntity, { organizationId });
  }

  /** The organization's webhooks, oldest first. */
  async listByOrganization(tx: Transaction, organizationId: string): Promise<WebhookRecord[]> {
    const webhooks = await tx.manager.find(WebhookEntity, { where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return webhooks.map(toRecord);
  }

  /** The active webhooks of any of these organizations (for fan-out). */
  async listByOrganizations(tx: Transaction, organizationIds: readonly string[]): Promise<WebhookRecord[]> {
    if (organizationIds.length === 0) return [];
    const webhooks = await tx.manager.find(WebhookEntity, { where: { organizationId: In([...organizationIds]), active: true }, order: { id: 'ASC' } });
    return webhooks.map(toRecord);
  }

  /** The webhook, if it belongs to the organization; `forUpdate` locks it until the transaction ends. */
  async findInOrganization(tx: Transaction, organizationId: string, id: string, forUpdate = false): Promise<WebhookRecord | undefined> {
    const webhook = await tx.manager.findOne(WebhookEntity, { where: { organizationId, id }, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined });
    return webhook ? toRecord(webhook) : undefined;
  }

  /** Applies `changes` to the webhook; returns it as stored now (one UPDATE ... RETURNING). */
  async update(tx: Transaction, id: string, changes: WebhookChanges): Promise<WebhookRecord> {
    const set: Partial<WebhookEntity> = {};
    if (changes.url !== undefined) set.url = changes.url;
    if (changes.eventTypes !== undefined) set.eventTypes = [...changes.eventTypes];
    if (changes.active !== undefined) set.active = changes.active;
    if (changes.secret !== undefined) set.secret = changes.secret;
    // Nothing to change: the id set to itself, so that the statement still returns the row.
    const { raw } = await tx.manager
      .createQueryBuilder()
      .update(WebhookEntity)
      .set(Object.keys(set).length > 0 ? set : { id })
      .where({ id })
      .returning('*')
      .execute();
    const row = (raw as ReturnedWebhookRow[])[0];
    return {
      id: row.id,
      organizationId: row.organization_id,
      url: row.url,
      eventTypes: row.event_types,
      secret: row.secret,
      active: row.active,
      createdAt: row.created_at,
    };
  }

  /** Deletes the webhook; its pending deliveries are then skipped ("the webhook no longer exists"). */
  async remove(tx: Transaction, id: string): Promise<void> {
    await tx.manager.delete(WebhookEntity, { id });
  }
}
