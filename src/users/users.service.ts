import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionRunner } from '@app/database';
import { FailedPreconditionError, NotFoundError } from '@app/errors';
import { NewEvent } from '@app/eventstore';
import { IdGenerator } from '@app/ids';
import { ObjectDetails } from '../common/object-details.mapper';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { UserAccessService } from './user-access.service';
import { UserChannelHooks } from './user-channel.hooks';
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

export interface ChannelChange {
  readonly value: string;
  readonly isVerified?: boolean;
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
    private readonly hooks: UserChannelHooks,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates a human user in an organization where the caller has `user.write`. */
  addHuman(caller: Caller, input: NewHumanUser, existing?: Transaction): Promise<{ userId: string; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.UserWrite, input.organizationId);
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
    }, existing);
  }

  /** Reads a user the caller has `user.read` on. */
  getById(caller: Caller, userId: string): Promise<UserRecord> {
    return this.transactions.run((tx) => this.access.readForQuery(tx, caller, Permission.UserRead, userId));
  }

  /** Sets (and optionally marks verified) the user's phone. */
  setPhone(caller: Caller, userId: string, change: ChannelChange, existing?: Transaction): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      const verified = change.isVerified ?? false;
      const events =
        user.phone === change.value
          ? verified && !user.phoneVerified
            ? [verifiedEvent(UserEventType.PhoneVerified)]
            : []
          : phoneEvents(change.value, verified);
      if (events.length === 0) throw new FailedPreconditionError('AUTHF-PHONE-UNCHANGED', 'The phone is already set to this value');
      await this.users.setPhone(tx, user.id, change.value, user.phone === change.value ? user.phoneVerified || verified : verified);
      return this.writer.write(tx, user, caller, events);
    }, existing);
  }

  /** Sets (and optionally marks verified) the user's e-mail address. */
  setEmail(caller: Caller, userId: string, change: ChannelChange, existing?: Transaction): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      const verified = change.isVerified ?? false;
      const events =
        user.email === change.value
          ? verified && !user.emailVerified
            ? [verifiedEvent(UserEventType.EmailVerified)]
            : []
          : emailEvents(change.value, verified);
      if (events.length === 0) throw new FailedPreconditionError('AUTHF-EMAIL-UNCHANGED', 'The e-mail address is already set to this value');
      await this.users.setEmail(tx, user.id, change.value, user.email === change.value ? user.emailVerified || verified : verified);
      return this.writer.write(tx, user, caller, events);
    }, existing);
  }

  /** Removes the user's phone, and with it whatever depends on it (OTP SMS), in one transaction. */
  removePhone(caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      if (user.phone === null) throw new NotFoundError('AUTHF-PHONE-404', 'The user has no phone');
      const dependants = await this.hooks.phoneRemoved(tx, user);
      await this.users.setPhone(tx, user.id, null, false);
      return this.writer.write(tx, user, caller, [...dependants, { type: UserEventType.PhoneRemoved }]);
    }, existing);
  }
}

function emailEvents(email: string, verified = false): NewEvent[] {
  const events: NewEvent[] = [{ type: UserEventType.EmailChanged, payload: { email } }];
  if (verified) events.push(verifiedEvent(UserEventType.EmailVerified));
  return events;
}

function phoneEvents(phone: string, verified = false): NewEvent[] {
  const events: NewEvent[] = [{ type: UserEventType.PhoneChanged, payload: { phone } }];
  if (verified) events.push(verifiedEvent(UserEventType.PhoneVerified));
  return events;
}

function verifiedEvent(type: string): NewEvent {
  return { type, payload: { verifiedBy: 'administrator' } };
}
