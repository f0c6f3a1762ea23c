import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { NewEvent } from '@app/eventstore';
import { UserRecord } from './user.record';

/** Reacts, inside the removing transaction, to a user's phone going away; returns the events it wrote for. */
export type PhoneRemovedHandler = (tx: Transaction, user: UserRecord) => Promise<NewEvent[]>;

/**
 * What depends on a user's contact channels (second factors) registers here,
 * so that the users module need not know it and the change stays one transaction.
 */
@Injectable()
export class UserChannelHooks {
  private readonly phoneRemovedHandlers: PhoneRemovedHandler[] = [];

  onPhoneRemoved(handler: PhoneRemovedHandler): void {
    this.phoneRemovedHandlers.push(handler);
  }

  async phoneRemoved(tx: Transaction, user: UserRecord): Promise<NewEvent[]> {
    const events: NewEvent[] = [];
    for (const handler of this.phoneRemovedHandlers) events.push(...(await handler(tx, user)));
    return events;
  }
}
