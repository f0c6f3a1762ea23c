import { Injectable } from '@nestjs/common';
import type { Caller } from '@app/auth';
import { Transaction } from '@app/database';
import { EventStore, NewEvent } from '@app/eventstore';
import { ObjectDetails } from '../common/object-details.mapper';

/** The aggregate type of organizations' event streams. */
export const ORG_AGGREGATE = 'org';

/** Appends a command's events to an organization's stream (its members, factor policy, webhooks): the last step before commit. */
@Injectable()
export class OrganizationEventWriter {
  constructor(private readonly events: EventStore) {}

  /** Appends `events` for the organization as done by `caller`; returns where its stream now stands. */
  async write(tx: Transaction, organizationId: string, caller: Caller, events: readonly NewEvent[]): Promise<ObjectDetails> {
    const appended = await this.events.append(
      tx,
      {
        aggregateType: ORG_AGGREGATE,
        aggregateId: organizationId,
        resourceOwner: organizationId,
        creator: caller.userId,
        requestId: caller.requestId,
        origin: caller.origin,
      },
      events,
    );
    return { sequence: appended.sequence, date: appended.createdAt, resourceOwner: organizationId };
  }
}
