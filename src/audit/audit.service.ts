import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { TransactionRunner } from '@app/database';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { AuditCursor, decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { AuditEventRecord, AuditFilter, AuditRepository } from './audit.repository';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

export interface AuditSearch {
  readonly filter: AuditFilter;
  readonly ascending: boolean;
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface AuditResult {
  readonly events: AuditEventRecord[];
  /** Where the next page starts; undefined when there is nothing more to read (newest first) or yet (oldest first). */
  readonly nextCursor?: string;
}

/**
 * The audit search: events across an organization (organization owners, `events.read` there) or the whole
 * instance (`events.read` instance-wide: IAM_OWNER), the events of deleted users included.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditRepository,
  ) {}

  /** A page of the events the search selects, with the cursor of the next one. */
  search(caller: Caller, search: AuditSearch): Promise<AuditResult> {
    const { filter, ascending, limit } = search;
    const cursor: AuditCursor | undefined = search.cursor === undefined ? undefined : decodeAuditCursor(search.cursor, filter, ascending);
    return this.transactions.run(async (tx) => {
      if (filter.organizationId !== undefined) await this.permissions.authorizeInOrganization(tx, caller, Permission.EventsRead, filter.organizationId);
      else await this.permissions.authorizeInstanceWide(tx, caller, Permission.EventsRead);
      // Oldest first, each page reads up to the current bound: events appended since lie after the cursor.
      // Newest first, every page keeps the first page's bound: events appended since would lie before it.
      const page = await this.audit.page(tx, filter, { ascending, limit, after: cursor?.after, bound: ascending ? undefined : cursor?.bound });
      const last = page.events.at(-1)?.position ?? (ascending ? cursor?.after : undefined);
      const more = page.events.length === limit || ascending;
      const nextCursor =
        last && more ? encodeAuditCursor({ after: last, bound: ascending ? undefined : (cursor?.bound ?? page.bound) }, filter, ascending) : undefined;
      return { events: page.events, nextCursor };
    });
  }
}
