import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { Raw } from 'typeorm';
import { ObjectDetails } from '../common/object-details.mapper';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';

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
    // The database's clock, which wrote the keys' creation times.
    await tx.manager.delete(IdempotencyKeyEntity, { userId, createdAt: Raw((createdAt) => `${createdAt} < now() - interval '24 hours'`) });
    const { raw } = await tx.manager
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity)
      .values({ userId, key, operation, target })
      .orIgnore()
      .returning(['user_id'])
      .execute();
    return (raw as unknown[]).length === 1;
  }

  /** The key as stored (read after a failed claim, so it sees the holder's commit). */
  async find(tx: Transaction, userId: string, key: string): Promise<StoredIdempotencyKey | undefined> {
    const stored = await tx.manager.findOne(IdempotencyKeyEntity, { select: { operation: true, target: true, outcome: true }, where: { userId, key } });
    if (!stored) return undefined;
    const outcome = stored.outcome && { sequence: stored.outcome.sequence, date: new Date(stored.outcome.date), resourceOwner: stored.outcome.resourceOwner };
    return { operation: stored.operation, target: stored.target, outcome };
  }

  /** Records the command's answer under the claimed key. */
  async complete(tx: Transaction, userId: string, key: string, outcome: ObjectDetails): Promise<void> {
    await tx.manager.update(
      IdempotencyKeyEntity,
      { userId, key },
      { outcome: { sequence: outcome.sequence, date: outcome.date.toISOString(), resourceOwner: outcome.resourceOwner } },
    );
  }
}
