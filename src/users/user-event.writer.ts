import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction } from '@app/database';
import { EventStore, NewEvent } from '@app/eventstore';
import { ObjectDetails } from '../common/object-details.mapper';
import { UserRef } from '../permissions/permissions.service';
import { USER_AGGREGATE } from './user.record';

/** Appends a command's events to the user's stream: the last step before commit. */
@Injectable()
export class UserEventWriter {
  constructor(private readonly events: EventStore) {}

  /** Appends `events` for `user` as done by `caller`; returns where the user's stream now stands. */
  async write(tx: Transaction, user: UserRef, caller: Caller, events: readonly NewEvent[]): Promise<ObjectDetails> {
    const appended = await this.events.append(
      tx,
      {
        aggregateType: USER_AGGREGATE,
        aggregateId: user.id,
        resourceOwner: user.organizationId,
        creator: caller.userId,
        requestId: caller.requestId,
        origin: caller.origin,
      },
      events,
    );
    return { sequence: appended.sequence, date: appended.createdAt, resourceOwner: user.organizationId };
  }
}
