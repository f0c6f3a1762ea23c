import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { SqlFragment, Transaction } from '@app/database';
import type { StoredFactorPolicy } from '../common/factor-policy.record';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { UserRecord } from './user.record';
import { UsersRepository, UserWithAccess } from './users.repository';

/** Another module's CTEs and columns in the read of the user, and its check of the row, before anything else is checked. */
export interface Alongside {
  readonly before: SqlFragment;
  readonly columns: SqlFragment;
  check(row: Record<string, unknown>): void;
}

/** The first step of every command or read on a user: find it, lock it if writing, check the caller. */
@Injectable()
export class UserAccessService {
  constructor(
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
  ) {}

  /** Locks the user until the transaction ends, once the caller may do `permission` on them. */
  async lockForCommand(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    return (await this.lockWithPolicy(tx, caller, permission, userId)).user;
  }

  /**
   * {@link lockForCommand}, also returning the factor policy the user's organization has set (undefined:
   * the defaults apply). User, roles and policy come in one round trip.
   */
  async lockWithPolicy(
    tx: Transaction,
    caller: Caller,
    permission: Permission,
    userId: string,
  ): Promise<{ user: UserRecord; factorPolicy?: StoredFactorPolicy }> {
    const found = await this.users.lockWithAccess(tx, userId, caller.userId);
    this.permissions.authorizeOnUser(caller, permission, found?.user, found?.callerRoles, { kind: 'change', targetInstanceRoles: found?.targetInstanceRoles });
    return found!;
  }

  /**
   * {@link lockWithPolicy} without the lock, also returning the user's factors, for a command whose write statement
   * checks that the user is unchanged since (EventStore.appendIfAt); with `lock`, locked as lockWithPolicy does.
   * `alongside`: another module's work in the same round trip (a rate-limit hit), checked before the caller is.
   */
  async readWithPolicy(
    tx: Transaction,
    caller: Caller,
    permission: Permission,
    userId: string,
    options: { readonly lock?: boolean; readonly alongside?: Alongside } = {},
  ): Promise<UserWithAccess> {
    const { lock, alongside } = options;
    let found: UserWithAccess | undefined;
    if (alongside) {
      const read = await this.users.findWithAccessAlongside(tx, userId, caller.userId, alongside);
      alongside.check(read.row);
      found = read.found;
    } else found = lock ? await this.users.lockWithAccess(tx, userId, caller.userId) : await this.users.findWithAccess(tx, userId, caller.userId);
    this.permissions.authorizeOnUser(caller, permission, found?.user, found?.callerRoles, { kind: 'change', targetInstanceRoles: found?.targetInstanceRoles });
    return found!;
  }

  /** Reads the user, once the caller may do `permission` on them and change them (the privilege order); no lock. */
  async readForChange(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    const found = await this.users.findWithAccess(tx, userId, caller.userId);
    this.permissions.authorizeOnUser(caller, permission, found?.user, found?.callerRoles, { kind: 'change', targetInstanceRoles: found?.targetInstanceRoles });
    return found!.user;
  }

  /**
   * The user's sequence as of now, in the command's transaction, after {@link lockForCommand} (an `If-Match`
   * compares it): the locking read may have waited for another writer, whose commit only a new statement sees.
   */
  currentSequence(tx: Transaction, userId: string): Promise<number> {
    return this.users.currentSequence(tx, userId);
  }

  /** Reads the user, once the caller may do `permission` on them. */
  async readForQuery(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    const found = await this.users.findWithAccess(tx, userId, caller.userId);
    this.permissions.authorizeOnUser(caller, permission, found?.user, found?.callerRoles);
    return found!.user;
  }
}
