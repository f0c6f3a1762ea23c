import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { AlreadyExistsError } from '@app/errors';
import { NewEvent } from '@app/eventstore';
import { IdGenerator } from '@app/ids';
import { ObjectDetails } from '../common/object-details.mapper';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { UserAccessService } from './user-access.service';
import { UserEventWriter } from './user-event.writer';
import { UserEventType, UserRecord } from './user.record';
import { UsersRepository } from './users.repository';

export interface NewHumanUser {
  readonly userId?: string;
  readonly organizationId: string;
  readonly username: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email?: { readonly email: string; readonly isVerified?: boolean };
  readonly phone?: { readonly phone: string; readonly isVerified?: boolean };
}

/** Commands and queries on human users. Each command is one transaction. */
@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly access: UserAccessService,
    private readonly permissions: PermissionsService,
    private readonly writer: UserEventWriter,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates a human user in an organization where the caller has `user.write`. */
  addHuman(caller: Caller, input: NewHumanUser, options: TransactionOptions = {}): Promise<{ userId: string; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.UserWrite, input.organizationId);
      // What can be checked inside the caller's organization comes first: the answer then reveals of other
      // organizations only what instance-wide unique ids force (a chosen id that is taken anywhere).
      if (await this.users.findIdByUsername(tx, input.organizationId, input.username)) throw usernameTaken();
      const userId = input.userId ?? this.ids.next();
      await this.users.insert(tx, {
        id: userId,
        organizationId: input.organizationId,
        username: input.username,
        givenName: input.givenName,
        familyName: input.familyName,
        email: input.email?.email ?? null,
        emailVerified: input.email?.isVerified ?? false,
        phone: input.phone?.phone ?? null,
        phoneVerified: input.phone?.isVerified ?? false,
      });
      const events: NewEvent[] = [
        {
          type: UserEventType.HumanAdded,
          payload: { username: input.username, givenName: input.givenName, familyName: input.familyName },
        },
      ];
      if (input.email) events.push(...emailEvents(input.email.email, input.email.isVerified));
      if (input.phone) events.push(...phoneEvents(input.phone.phone, input.phone.isVerified));
      const details = await this.writer.write(tx, { id: userId, organizationId: input.organizationId }, caller, events);
      return { userId, details };
    }, options.transaction);
  }

  /** The id of the user with this username in the organization, in the caller's transaction (a system lookup: no caller is checked). */
  findIdByUsername(tx: Transaction, organizationId: string, username: string): Promise<string | undefined> {
    return this.users.findIdByUsername(tx, organizationId, username);
  }

  /** Reads a user the caller has `user.read` on. */
  getById(caller: Caller, userId: string): Promise<UserRecord> {
    return this.transactions.run((tx) => this.access.readForQuery(tx, caller, Permission.UserRead, userId));
  }
}

// A channel given at creation is part of the creation: `atCreation` tells the outbox that no security notice is due.
function emailEvents(email: string, verified = false): NewEvent[] {
  const events: NewEvent[] = [{ type: UserEventType.EmailChanged, payload: { email, atCreation: true } }];
  if (verified) events.push(verifiedEvent(UserEventType.EmailVerified));
  return events;
}

function phoneEvents(phone: string, verified = false): NewEvent[] {
  const events: NewEvent[] = [{ type: UserEventType.PhoneChanged, payload: { phone, atCreation: true } }];
  if (verified) events.push(verifiedEvent(UserEventType.PhoneVerified));
  return events;
}

function verifiedEvent(type: string): NewEvent {
  return { type, payload: { verifiedBy: 'administrator' } };
}

function usernameTaken(): AlreadyExistsError {
  return new AlreadyExistsError('AUTHF-USER-409-NAME', 'The username is already taken in this organization');
}
