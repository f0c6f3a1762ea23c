import { Injectable, OnModuleInit } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionRunner } from '@app/database';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@app/errors';
import { ObjectDetails } from '../common/object-details.mapper';
import { MetricsService } from '../observability/metrics.service';
import { Permission } from '../permissions/permission';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { UserAccessService } from '../users/user-access.service';
import { UserChannelHooks } from '../users/user-channel.hooks';
import { UserEventWriter } from '../users/user-event.writer';
import { AuthFactorKind, OTP_EMAIL, OTP_SMS } from './auth-factor.kind';
import { AuthFactorRecord, AuthFactorsRepository } from './auth-factors.repository';

/**
 * The users' second factors. Every command is one transaction (lock the user,
 * check, change the read model, append the event, commit) and accepts the
 * caller's open transaction to join instead, so other modules can compose.
 */
@Injectable()
export class AuthFactorsService implements OnModuleInit {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly factors: AuthFactorsRepository,
    private readonly access: UserAccessService,
    private readonly writer: UserEventWriter,
    private readonly channelHooks: UserChannelHooks,
    private readonly metrics: MetricsService,
    private readonly rateLimit: RateLimitService,
  ) {}

  onModuleInit(): void {
    // OTP SMS cannot outlive the phone it sends codes to.
    this.channelHooks.onPhoneRemoved(async (tx, user) =>
      (await this.factors.remove(tx, user.id, OTP_SMS.type)) ? [{ type: OTP_SMS.removedEvent, payload: { cause: 'phone removed' } }] : [],
    );
  }

  /** The factors configured for a user the caller may read. */
  list(caller: Caller, userId: string, existing?: Transaction): Promise<AuthFactorRecord[]> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.readForQuery(tx, caller, Permission.UserRead, userId);
      return this.factors.listByUser(tx, user.id);
    }, existing);
  }

  /** Adds OTP SMS; the user needs a verified phone. */
  addOtpSms(caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.add(OTP_SMS, caller, userId, existing);
  }

  /** Removes OTP SMS. */
  removeOtpSms(caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.remove(OTP_SMS, caller, userId, existing);
  }

  /** Adds OTP Email; the user needs a verified e-mail address. */
  addOtpEmail(caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.add(OTP_EMAIL, caller, userId, existing);
  }

  /** Removes OTP Email. */
  removeOtpEmail(caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.remove(OTP_EMAIL, caller, userId, existing);
  }

  // Counted here, where every API (REST, gRPC, other modules) goes through.
  private add(kind: AuthFactorKind, caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.metrics.countFactorChange(kind.type, 'add', () => this.addFactor(kind, caller, userId, existing));
  }

  private remove(kind: AuthFactorKind, caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    return this.metrics.countFactorChange(kind.type, 'remove', () => this.removeFactor(kind, caller, userId, existing));
  }

  // Rate-limited before the transaction: a refused or failing attempt counts too, and holds no user lock.
  private async addFactor(kind: AuthFactorKind, caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    await this.rateLimit.consumeFactorMutation(caller, existing);
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserCredentialWrite, userId);
      if (!kind.channelVerified(user)) {
        throw new FailedPreconditionError(`${kind.errorPrefix}-PRECONDITION`, `${kind.label} needs ${kind.channel}`);
      }
      if (!(await this.factors.add(tx, user.id, kind.type))) {
        throw new AlreadyExistsError(`${kind.errorPrefix}-409`, `${kind.label} is already configured for this user`);
      }
      return this.writer.write(tx, user, caller, [{ type: kind.addedEvent }]);
    }, existing);
  }

  private async removeFactor(kind: AuthFactorKind, caller: Caller, userId: string, existing?: Transaction): Promise<ObjectDetails> {
    await this.rateLimit.consumeFactorMutation(caller, existing);
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      if (!(await this.factors.remove(tx, user.id, kind.type))) {
        throw new NotFoundError(`${kind.errorPrefix}-404`, `${kind.label} is not configured for this user`);
      }
      return this.writer.write(tx, user, caller, [{ type: kind.removedEvent }]);
    }, existing);
  }
}
