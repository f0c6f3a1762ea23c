import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { DeletedUserEntity } from './entities/deleted-user.entity';
import { UserEntity } from './entities/user.entity';
import { UserRecord, UserState } from './user.record';
import { USER_LEFT_ACTIVE_CHANNEL } from './users.repository';

/** Tells every instance, when the transaction commits, that the user left the active state (see ActiveUserValidator). */
async function notifyLeftActive(tx: Transaction, userId: string): Promise<void> {
  // Raw: pg_notify is a function TypeORM has no API for.
  await tx.manager.query('SELECT pg_notify($1, $2)', [USER_LEFT_ACTIVE_CHANNEL, userId]);
}

/** The lifecycle of users in the read model: their state, and the tombstones of deleted users. */
@Injectable()
export class UserLifecycleRepository {
  /** Sets the user's state; leaving `active`, tells every instance at commit (see ActiveUserValidator). */
  async setState(tx: Transaction, userId: string, state: UserState): Promise<void> {
    await tx.manager.update(UserEntity, { id: userId }, { state });
    if (state !== 'active') await notifyLeftActive(tx, userId);
  }

  /**
   * Deletes the user (its memberships and second factors go with it, by the foreign keys' cascade) and
   * leaves a tombstone, so the id cannot be taken again. Its events stay.
   */
  async delete(tx: Transaction, user: UserRecord): Promise<void> {
    await tx.manager.delete(UserEntity, { id: user.id });
    await notifyLeftActive(tx, user.id);
    await tx.manager.insert(DeletedUserEntity, { id: user.id, organizationId: user.organizationId, deletedAt: new Date() });
  }

  /** Whether a user with this id was deleted. */
  wasDeleted(tx: Transaction, userId: string): Promise<boolean> {
    return tx.manager.exists(DeletedUserEntity, { where: { id: userId } });
  }
}
