import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction } from '@app/database';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { UserRecord } from './user.record';
import { UsersRepository } from './users.repository';

/** The first step of every command or read on a user: find it, lock it if writing, check the caller. */
@Injectable()
export class UserAccessService {
  constructor(
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
  ) {}

  /** Locks the user until the transaction ends, once the caller may do `permission` on them. */
  async lockForCommand(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    const user = await this.users.lockById(tx, userId);
    await this.permissions.authorizeOnUser(tx, caller, permission, user);
    return user!;
  }

  /** Reads the user, once the caller may do `permission` on them. */
  async readForQuery(tx: Transaction, caller: Caller, permission: Permission, userId: string): Promise<UserRecord> {
    const user = await this.users.findById(tx, userId);
    await this.permissions.authorizeOnUser(tx, caller, permission, user);
    return user!;
  }
}
