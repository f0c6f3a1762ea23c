import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { TransactionRunner } from '@app/database';
import { Permission } from '../permissions/permission';
import { UserAccessService } from '../users/user-access.service';
import { ChangePage, UserChangeRecord, UserChangesRepository } from './user-changes.repository';

export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 1000;

/** A page of a user's change history, with where their stream stands. */
export interface UserChanges {
  readonly changes: UserChangeRecord[];
  readonly total: number;
  /** The stream's last sequence when read. */
  readonly processedSequence: number;
  readonly viewedAt: Date;
}

/** Reads a user's change history (their event stream). */
@Injectable()
export class UserChangesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly access: UserAccessService,
    private readonly changes: UserChangesRepository,
  ) {}

  /** A page of the user's changes; needs `user.read` on them unless they are the caller. */
  list(caller: Caller, userId: string, page: ChangePage): Promise<UserChanges> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.readForQuery(tx, caller, Permission.UserRead, userId);
      const [changes, total] = [await this.changes.page(tx, user.id, page), await this.changes.count(tx, user.id)];
      return { changes, total, processedSequence: user.sequence, viewedAt: new Date() };
    });
  }
}
