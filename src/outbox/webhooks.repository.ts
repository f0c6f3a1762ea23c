import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

/** A webhook target of an organization. */
export interface WebhookRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret: string;
  readonly createdAt: Date;
}

interface WebhookRow {
  id: string;
  organization_id: string;
  url: string;
  event_types: string[];
  secret: string;
  created_at: Date;
}

function toRecord(row: WebhookRow): WebhookRecord {
  return { id: row.id, organizationId: row.organization_id, url: row.url, eventTypes: row.event_types, secret: row.secret, createdAt: row.created_at };
}

/** The organizations' webhook targets. */
@Injectable()
export class WebhooksRepository {
  /** Stores a webhook; returns its creation time. */
  async insert(tx: Transaction, webhook: Omit<WebhookRecord, 'createdAt'>, creator: string): Promise<Date> {
    const rows: { created_at: Date }[] = await tx.manager.query(
      `INSERT INTO webhooks (id, organization_id, url, event_types, secret, creator) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
      [webhook.id, webhook.organizationId, webhook.url, webhook.eventTypes, webhook.secret, creator],
    );
    return rows[0].created_at;
  }

  /** The organization's webhooks, oldest first. */
  async listByOrganization(tx: Transaction, organizationId: string): Promise<WebhookRecord[]> {
    const rows: WebhookRow[] = await tx.manager.query('SELECT * FROM webhooks WHERE organization_id = $1 ORDER BY created_at, id', [organizationId]);
    return rows.map(toRecord);
  }

  /** The webhooks of any of these organizations (for fan-out). */
  async listByOrganizations(tx: Transaction, organizationIds: readonly string[]): Promise<WebhookRecord[]> {
    if (organizationIds.length === 0) return [];
    const rows: WebhookRow[] = await tx.manager.query('SELECT * FROM webhooks WHERE organization_id = ANY($1::text[]) ORDER BY id', [organizationIds]);
    return rows.map(toRecord);
  }

  /** The webhook, if it belongs to the organization. */
  async findInOrganization(tx: Transaction, organizationId: string, id: string): Promise<WebhookRecord | undefined> {
    const rows: WebhookRow[] = await tx.manager.query('SELECT * FROM webhooks WHERE organization_id = $1 AND id = $2', [organizationId, id]);
    return rows[0] && toRecord(rows[0]);
  }
}
