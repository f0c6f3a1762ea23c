import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

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

interface WebhookRow {
  id: string;
  organization_id: string;
  url: string;
  event_types: string[];
  secret: string;
  active: boolean;
  created_at: Date;
}

function toRecord(row: WebhookRow): WebhookRecord {
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

/** The organizations' webhook targets. */
@Injectable()
export class WebhooksRepository {
  /** Stores a webhook; returns its creation time. */
  async insert(tx: Transaction, webhook: Omit<WebhookRecord, 'createdAt' | 'active'>, creator: string): Promise<Date> {
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

  /** The active webhooks of any of these organizations (for fan-out). */
  async listByOrganizations(tx: Transaction, organizationIds: readonly string[]): Promise<WebhookRecord[]> {
    if (organizationIds.length === 0) return [];
    const rows: WebhookRow[] = await tx.manager.query('SELECT * FROM webhooks WHERE organization_id = ANY($1::text[]) AND active ORDER BY id', [
      organizationIds,
    ]);
    return rows.map(toRecord);
  }

  /** The webhook, if it belongs to the organization; `forUpdate` locks it until the transaction ends. */
  async findInOrganization(tx: Transaction, organizationId: string, id: string, forUpdate = false): Promise<WebhookRecord | undefined> {
    const rows: WebhookRow[] = await tx.manager.query(`SELECT * FROM webhooks WHERE organization_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
      organizationId,
      id,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Applies `changes` to the webhook; returns it as stored now. */
  async update(tx: Transaction, id: string, changes: WebhookChanges): Promise<WebhookRecord> {
    // In a CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with the rows.
    const rows: WebhookRow[] = await tx.manager.query(
      `WITH changed AS (
         UPDATE webhooks SET url = coalesce($2::text, url), event_types = coalesce($3::text[], event_types), active = coalesce($4::boolean, active),
           secret = coalesce($5::text, secret)
         WHERE id = $1 RETURNING *
       ) SELECT * FROM changed`,
      [id, changes.url ?? null, changes.eventTypes ?? null, changes.active ?? null, changes.secret ?? null],
    );
    return toRecord(rows[0]);
  }

  /** Deletes the webhook; its pending deliveries are then skipped ("the webhook no longer exists"). */
  async remove(tx: Transaction, id: string): Promise<void> {
    await tx.manager.query('DELETE FROM webhooks WHERE id = $1', [id]);
  }
}
