import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { SqlFragment, Transaction } from '@app/database';
import { AppendContext, AppendResult, EventStore, NewEvent } from '@app/eventstore';
import { ObjectDetails } from '../common/object-details.mapper';
import { UserRef } from '../permissions/permissions.service';
import { USER_AGGREGATE } from './user.record';
import { UsersRepository } from './users.repository';

/** Appends a command's events to the user's stream: the last step before commit. */
@Injectable()
export class UserEventWriter {
  constructor(
    private readonly events: EventStore,
    private readonly users: UsersRepository,
  ) {}

  /** Appends `events` for `user` as done by `caller`; returns where the user's stream now stands. */
  async write(tx: Transaction, user: UserRef, caller: Caller, events: readonly NewEvent[]): Promise<ObjectDetails> {
    return detailsOf(user, await this.events.append(tx, this.contextOf(user, caller), events));
  }

  /**
   * Makes `change` (the CTE `changed`) and appends `events` for `user` in one statement, only if the user's stream
   * still stands at `expectedSequence` (what the command read, without a lock): the user's row is locked first, as
   * every command locks it, then the stream's. Undefined: nothing changed, the user had changed since.
   */
  async writeIfAt(
    tx: Transaction,
    user: UserRef,
    caller: Caller,
    events: readonly NewEvent[],
    expectedSequence: number,
    change: SqlFragment,
  ): Promise<ObjectDetails | undefined> {
    const appended = await this.events.appendIfAt(tx, this.contextOf(user, caller), events, expectedSequence, {
      hold: this.users.holdFragment(user.id),
      change,
    });
    return appended && detailsOf(user, appended);
  }

  private contextOf(user: UserRef, caller: Caller): AppendContext {
    return {
      aggregateType: USER_AGGREGATE,
      aggregateId: user.id,
      resourceOwner: user.organizationId,
      creator: caller.userId,
      requestId: caller.requestId,
      origin: caller.origin,
    };
  }
}

/** Where the user's stream stands after an append: the details of the command's answer. */
function detailsOf(user: UserRef, appended: AppendResult): ObjectDetails {
  return { sequence: appended.sequence, date: appended.createdAt, resourceOwner: user.organizationId };
}
