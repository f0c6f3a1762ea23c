import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { FailedPreconditionError, PermissionDeniedError } from '@app/errors';
import { ObjectDetails } from '../common/object-details.mapper';
import { Permission } from '../permissions/permission';
import { ActiveUserValidator } from './active-user.validator';
import { UserAccessService } from './user-access.service';
import { UserEventWriter } from './user-event.writer';
import { UserLifecycleRepository } from './user-lifecycle.repository';
import { UserEventType, UserRecord, UserState } from './user.record';

/** A state change of the lifecycle: from which states it may start, where it leads, what it records. */
interface Transition {
  readonly from: readonly UserState[];
  readonly to: UserState;
  readonly event: string;
  /** The refusal when the user is in another state (400, code 9). */
  readonly refusal: { readonly id: string; readonly message: string };
}

// ZITADEL's preconditions: only an active user can be locked (not a deactivated one); an active or a locked
// user can be deactivated (which ends the lock, as in ZITADEL); reactivating needs a deactivated user, unlocking a locked one.
const DEACTIVATE: Transition = {
  from: ['active', 'locked'],
  to: 'inactive',
  event: UserEventType.Deactivated,
  refusal: { id: 'AUTHF-USER-ALREADY-INACTIVE', message: 'The user is already deactivated' },
};
const REACTIVATE: Transition = {
  from: ['inactive'],
  to: 'active',
  event: UserEventType.Reactivated,
  refusal: { id: 'AUTHF-USER-NOT-INACTIVE', message: 'The user is not deactivated' },
};
const LOCK: Transition = {
  from: ['active'],
  to: 'locked',
  event: UserEventType.Locked,
  refusal: { id: 'AUTHF-USER-NOT-ACTIVE', message: 'Only an active user can be locked (a deactivated user cannot, and a locked one already is)' },
};
const UNLOCK: Transition = {
  from: ['locked'],
  to: 'active',
  event: UserEventType.Unlocked,
  refusal: { id: 'AUTHF-USER-NOT-LOCKED', message: 'The user is not locked' },
};

/**
 * The user lifecycle (ZITADEL's v2 DeleteUser, DeactivateUser, ReactivateUser, LockUser, UnlockUser). Each
 * command is one transaction: lock the user, check permission and privilege order, check the state, change
 * it, append the event. Only an active user's tokens are accepted (ActiveUserValidator, told of each change), so a deactivated,
 * locked or deleted user's tokens are refused from the next request on, over every transport.
 */
@Injectable()
export class UserLifecycleService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly access: UserAccessService,
    private readonly lifecycle: UserLifecycleRepository,
    private readonly writer: UserEventWriter,
    private readonly activeUsers: ActiveUserValidator,
  ) {}

  /** Deletes the user with its second factors and memberships; its events stay and its id stays taken. */
  async delete(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<ObjectDetails> {
    const details = await this.transactions.run(async (tx) => {
      const user = await this.lockTarget(tx, caller, Permission.UserDelete, userId);
      await this.lifecycle.delete(tx, user);
      return this.writer.write(tx, user, caller, [{ type: UserEventType.Removed }]);
    }, options.transaction);
    this.activeUsers.forget(userId);
    return details;
  }

  /** Deactivates an active or locked user. */
  deactivate(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<ObjectDetails> {
    return this.transition(DEACTIVATE, caller, userId, options);
  }

  /** Reactivates a deactivated user. */
  reactivate(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<ObjectDetails> {
    return this.transition(REACTIVATE, caller, userId, options);
  }

  /** Locks an active user. */
  lock(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<ObjectDetails> {
    return this.transition(LOCK, caller, userId, options);
  }

  /** Unlocks a locked user. */
  unlock(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<ObjectDetails> {
    return this.transition(UNLOCK, caller, userId, options);
  }

  private async transition(transition: Transition, caller: Caller, userId: string, options: TransactionOptions): Promise<ObjectDetails> {
    const details = await this.transactions.run(async (tx) => {
      // Deactivating or locking oneself would be a lock-out no one asked an administrator for; unlocking or
      // reactivating oneself cannot happen (the token is refused).
      if (caller.userId === userId) throw new PermissionDeniedError('AUTHF-USER-SELF-403', 'You cannot change the state of your own account');
      const user = await this.lockTarget(tx, caller, Permission.UserWrite, userId);
      if (!transition.from.includes(user.state)) throw new FailedPreconditionError(transition.refusal.id, transition.refusal.message);
      await this.lifecycle.setState(tx, user.id, transition.to);
      return this.writer.write(tx, user, caller, [{ type: transition.event }]);
    }, options.transaction);
    // Committed (or, in the caller's transaction, about to be: the NOTIFY at its commit forgets the user again).
    if (transition.to !== 'active') this.activeUsers.forget(userId);
    return details;
  }

  /**
   * The user, locked, once the caller may do `permission` on them and the privilege order allows the change:
   * an organization-level administrator cannot lock, deactivate or delete an instance administrator.
   */
  private lockTarget(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    return this.access.lockForCommand(tx, caller, permission, userId);
  }
}
