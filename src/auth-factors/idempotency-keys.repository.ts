import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { ObjectDetails } from '../common/object-details.mapper';

/** What a stored key says: the request it was first used for, and that request's answer. */
export interface StoredIdempotencyKey {
  readonly operation: string;
  readonly target: string;
  /** Null only while the claiming transaction is still running (the same transaction reusing its own key). */
  readonly outcome: ObjectDetails | null;
}

/** Idempotency keys of factor commands, kept 24 hours; written in the command's transaction. */
@Injectable()
export class IdempotencyKeysRepository {
  /**
   * Claims the key for a command, in its transaction: true when this transaction
   * now holds it. A concurrent holder makes this wait until it commits (then
   * false: replay) or rolls back (then true). Expired keys of the user go first.
   */
  async claim(tx: Transaction, userId: string, key: string, operation: string, target: string): Promise<boolean> {
    await tx.manager.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND created_at < now() - interval '24 hours'`, [userId]);
    const rows: unknown[] = await tx.manager.query(
      'INSERT INTO idempotency_keys (user_id, key, operation, target, created_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING RETURNING 1',
      [userId, key, operation, target],
    );
    return rows.length === 1;
  }

  /** The key as stored (read after a failed claim, so it sees the holder's commit). */
  async find(tx: Transaction, userId: string, key: string): Promise<StoredIdempotencyKey | undefined> {
    const rows: { operation: string; target: string; outcome: { sequence: number; date: string; resourceOwner: string } | null }[] = await tx.manager.query(
      'SELECT operation, target, outcome FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    const outcome = row.outcome && { sequence: row.outcome.sequence, date: new Date(row.outcome.date), resourceOwner: row.outcome.resourceOwner };
    return { operation: row.operation, target: row.target, outcome };
  }

  /** Records the command's answer under the claimed key. */
  async complete(tx: Transaction, userId: string, key: string, outcome: ObjectDetails): Promise<void> {
    await tx.manager.query('UPDATE idempotency_keys SET outcome = $3 WHERE user_id = $1 AND key = $2', [
      userId,
      key,
      JSON.stringify({ sequence: outcome.sequence, date: outcome.date.toISOString(), resourceOwner: outcome.resourceOwner }),
    ]);
  }
}
