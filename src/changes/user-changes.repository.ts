import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

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
    const direction = page.ascending ? 'ASC' : 'DESC';
    const bound = page.ascending ? 'e.sequence > $2' : '($2 = 0 OR e.sequence < $2)';
    const rows: ChangeRow[] = await tx.manager.query(
      `SELECT e.id, e.sequence, e.type, e.created_at, e.creator, e.resource_owner,
              u.given_name AS editor_given_name, u.family_name AS editor_family_name, u.username AS editor_username
       FROM events e LEFT JOIN users u ON u.id = e.creator
       WHERE e.aggregate_id = $1 AND ${bound}
       ORDER BY e.sequence ${direction}
       LIMIT $3`,
      [userId, page.sequence, page.limit],
    );
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
    const rows: { count: string }[] = await tx.manager.query('SELECT count(*) AS count FROM events WHERE aggregate_id = $1', [userId]);
    return Number(rows[0].count);
  }
}
