import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { EventEntity } from '@app/eventstore';

/** One change of a user: an event of their stream, with who made it. */
export interface UserChangeRecord {
  readonly eventId: string;
  readonly sequence: number;
  readonly type: string;
  readonly createdAt: Date;
  readonly editorId: string;
  readonly editorDisplayName?: string;
  readonly editorUsername?: string;
  readonly resourceOwner: string;
}

/** Which page: after `sequence` ascending, or before it descending; 0 starts at the oldest or the newest. */
export interface ChangePage {
  readonly sequence: number;
  readonly limit: number;
  readonly ascending: boolean;
}

interface ChangeRow {
  id: string;
  sequence: string;
  type: string;
  created_at: Date;
  creator: string;
  resource_owner: string;
  editor_given_name: string | null;
  editor_family_name: string | null;
  editor_username: string | null;
}

/** A user's event stream read as a change history. */
@Injectable()
export class UserChangesRepository {
  /** A page of the user's events, in sequence order (newest first unless ascending). */
  async page(tx: Transaction, userId: string, page: ChangePage): Promise<UserChangeRecord[]> {
    const query = tx.manager
      .createQueryBuilder(EventEntity, 'e')
      .select('e.id', 'id')
      .addSelect('e.sequence', 'sequence')
      .addSelect('e.type', 'type')
      .addSelect('e.createdAt', 'created_at')
      .addSelect('e.creator', 'creator')
      .addSelect('e.resourceOwner', 'resource_owner')
      .addSelect('u.givenName', 'editor_given_name')
      .addSelect('u.familyName', 'editor_family_name')
      .addSelect('u.username', 'editor_username')
      // Joined by table name: the users feature's entity stays in that feature.
      .leftJoin('users', 'u', 'u.id = e.creator')
      .where('e.aggregateId = :userId', { userId })
      .orderBy('e.sequence', page.ascending ? 'ASC' : 'DESC')
      .limit(page.limit);
    if (page.ascending) query.andWhere('e.sequence > :sequence', { sequence: page.sequence });
    else if (page.sequence !== 0) query.andWhere('e.sequence < :sequence', { sequence: page.sequence });
    const rows: ChangeRow[] = await query.getRawMany();
    return rows.map((row) => ({
      eventId: row.id,
      sequence: Number(row.sequence),
      type: row.type,
      createdAt: row.created_at,
      editorId: row.creator,
      editorDisplayName: row.editor_given_name !== null ? `${row.editor_given_name} ${row.editor_family_name ?? ''}`.trim() : undefined,
      editorUsername: row.editor_username ?? undefined,
      resourceOwner: row.resource_owner,
    }));
  }

  /** How many events the user's stream holds. */
  async count(tx: Transaction, userId: string): Promise<number> {
    return tx.manager.countBy(EventEntity, { aggregateId: userId });
  }
}
