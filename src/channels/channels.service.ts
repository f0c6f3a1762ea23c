import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { DomainError, FailedPreconditionError, NotFoundError, PermissionDeniedError } from '@app/errors';
import { NewEvent } from '@app/eventstore';
import { ObjectDetails } from '../common/object-details.mapper';
import { FactorPolicyService } from '../factor-policy/factor-policy.service';
import { checkStepUp } from '../factor-policy/step-up';
import { Permission } from '../permissions/permission';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { UserAccessService } from '../users/user-access.service';
import { UserChannelHooks } from '../users/user-channel.hooks';
import { UserChannelWriter } from '../users/user-channel.writer';
import { UserEventWriter } from '../users/user-event.writer';
import { UserEventType, UserRecord } from '../users/user.record';
import { CodeDelivery, VerificationCodesService } from '../verification/verification-codes.service';
import { ChannelKind, EMAIL_CHANNEL, PHONE_CHANNEL } from './channel-kind';

/** How a new channel value is to be verified (ZITADEL's `verification` oneof; `sendCode` when unset). */
export type ChannelVerification =
  { readonly kind: 'sendCode'; readonly urlTemplate?: string } | { readonly kind: 'returnCode' } | { readonly kind: 'isVerified'; readonly value: boolean };

/** How a new code for the current value is to travel. */
export type CodeRequest = Exclude<ChannelVerification, { kind: 'isVerified' }>;

/** A channel command's options: `transaction` joins the caller's open transaction (other modules composing commands). */
export type ChannelCommandOptions = TransactionOptions;

/** What a channel command answers: where the user now stands, and the code when the caller asked for it back. */
export interface ChannelResult {
  readonly details: ObjectDetails;
  readonly verificationCode?: string;
}

/**
 * A user's phone and e-mail address: set, verified by a code sent to them, removed. The channels are what the
 * OTP factors send to, so changing one is guarded as a factor change is: permission and privilege order, step-up
 * for one's own, the factor rate limit, the true actor in the event, and a security notice to the verified address.
 * Every command is one transaction.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly access: UserAccessService,
    private readonly users: UserChannelWriter,
    private readonly writer: UserEventWriter,
    private readonly hooks: UserChannelHooks,
    private readonly rateLimit: RateLimitService,
    private readonly policies: FactorPolicyService,
    private readonly codes: VerificationCodesService,
  ) {}

  /** Sets the user's phone; verified by a code sent to it unless `verification` says otherwise. */
  setPhone(caller: Caller, userId: string, phone: string, verification: ChannelVerification, options: ChannelCommandOptions = {}): Promise<ChannelResult> {
    return this.set(PHONE_CHANNEL, caller, userId, phone, verification, options);
  }

  /** Sets the user's e-mail address; verified by a code sent to it unless `verification` says otherwise. */
  setEmail(caller: Caller, userId: string, email: string, verification: ChannelVerification, options: ChannelCommandOptions = {}): Promise<ChannelResult> {
    return this.set(EMAIL_CHANNEL, caller, userId, email, verification, options);
  }

  /** Verifies the phone with the code sent to it; in a transaction of its own, so that a wrong code always counts. */
  verifyPhone(caller: Caller, userId: string, code: string): Promise<ObjectDetails> {
    return this.verify(PHONE_CHANNEL, caller, userId, code);
  }

  /** Verifies the e-mail address with the code sent to it; in a transaction of its own, so that a wrong code always counts. */
  verifyEmail(caller: Caller, userId: string, code: string): Promise<ObjectDetails> {
    return this.verify(EMAIL_CHANNEL, caller, userId, code);
  }

  /** A new code for the phone awaiting verification, replacing the pending one (ZITADEL's ResendPhoneCode). */
  resendPhoneCode(caller: Caller, userId: string, request: CodeRequest, options: ChannelCommandOptions = {}): Promise<ChannelResult> {
    return this.newCode(PHONE_CHANNEL, caller, userId, request, true, options);
  }

  /** A new code for the e-mail address awaiting verification, replacing the pending one (ZITADEL's ResendEmailCode). */
  resendEmailCode(caller: Caller, userId: string, request: CodeRequest, options: ChannelCommandOptions = {}): Promise<ChannelResult> {
    return this.newCode(EMAIL_CHANNEL, caller, userId, request, true, options);
  }

  /** A code for the unverified e-mail address, whether or not one is pending (ZITADEL's SendEmailCode). */
  sendEmailCode(caller: Caller, userId: string, request: CodeRequest, options: ChannelCommandOptions = {}): Promise<ChannelResult> {
    return this.newCode(EMAIL_CHANNEL, caller, userId, request, false, options);
  }

  /** Removes the user's phone, and with it whatever depends on it (OTP SMS), in one transaction. */
  async removePhone(caller: Caller, userId: string, options: ChannelCommandOptions = {}): Promise<ObjectDetails> {
    await this.rateLimit.consumeFactorMutation(caller, options.transaction);
    return this.transactions.run(async (tx) => {
      const { user, audit } = await this.lockForChange(tx, caller, userId);
      if (user.phone === null) throw new NotFoundError('AUTHF-PHONE-404', 'The user has no phone');
      const dependants = await this.hooks.phoneRemoved(tx, user);
      await this.discardCodes(tx, PHONE_CHANNEL, user);
      await this.users.setPhone(tx, user.id, null, false);
      return this.writer.write(tx, user, caller, [...dependants, withPayload(UserEventType.PhoneRemoved, { ...audit, ...noticeTo(user) })]);
    }, options.transaction);
  }

  private async set(
    kind: ChannelKind,
    caller: Caller,
    userId: string,
    value: string,
    verification: ChannelVerification,
    options: ChannelCommandOptions,
  ): Promise<ChannelResult> {
    refuseSelfAssertion(kind, caller, userId, verification);
    await this.rateLimit.consumeFactorMutation(caller, options.transaction);
    return this.transactions.run(async (tx) => {
      const { user, audit } = await this.lockForChange(tx, caller, userId);
      const unchanged = kind.valueOf(user) === value;
      if (unchanged && (kind.verifiedOf(user) || (verification.kind === 'isVerified' && !verification.value))) {
        throw new FailedPreconditionError(`${kind.errorPrefix}-UNCHANGED`, `The ${kind.label} is already set to this value`);
      }
      const events: NewEvent[] = [];
      if (!unchanged) {
        events.push({ type: kind.changedEvent, payload: { [kind.name]: value, ...audit, ...noticeTo(user) } });
        await this.discardCodes(tx, kind, user);
      }
      let verified = false;
      let verificationCode: string | undefined;
      if (verification.kind === 'isVerified') {
        await this.codes.discard(tx, user.id, kind.codePurpose);
        if (verification.value) {
          verified = true;
          events.push({ type: kind.codePurpose.events.succeeded, payload: { verifiedBy: 'administrator', ...audit } });
        }
      } else {
        const issued = await this.codes.issue(tx, user, kind.codePurpose, value, codeDelivery(verification));
        events.push(issued.event);
        verificationCode = issued.code;
      }
      await this.store(tx, kind, user.id, value, verified);
      return { details: await this.writer.write(tx, user, caller, events), verificationCode };
    }, options.transaction);
  }

  // No step-up: a code proves possession of the channel, and the change it completes passed the step-up already.
  private async verify(kind: ChannelKind, caller: Caller, userId: string, code: string): Promise<ObjectDetails> {
    await this.rateLimit.consumeFactorMutation(caller);
    const outcome = await this.transactions.run(async (tx): Promise<{ details?: ObjectDetails; error?: DomainError }> => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      const value = this.awaitingVerification(kind, user);
      const check = await this.codes.check(tx, user, kind.codePurpose, value, code);
      if (check.ok) await this.store(tx, kind, user.id, value, true);
      const details = check.events.length > 0 ? await this.writer.write(tx, user, caller, check.events) : undefined;
      return check.ok ? { details } : { error: check.error };
    });
    // Thrown after the commit, so that the failed attempt (and its event) is stored.
    if (outcome.error) throw outcome.error;
    return outcome.details!;
  }

  private async newCode(
    kind: ChannelKind,
    caller: Caller,
    userId: string,
    request: CodeRequest,
    requirePending: boolean,
    options: ChannelCommandOptions,
  ): Promise<ChannelResult> {
    refuseSelfAssertion(kind, caller, userId, request);
    await this.rateLimit.consumeFactorMutation(caller, options.transaction);
    return this.transactions.run(async (tx) => {
      const user = await this.access.lockForCommand(tx, caller, Permission.UserWrite, userId);
      const value = this.awaitingVerification(kind, user);
      if (requirePending && !(await this.codes.hasPending(tx, user.id, kind.codePurpose, value))) {
        throw new FailedPreconditionError(
          `${kind.codePurpose.errorPrefix}-NONE`,
          `No ${kind.codePurpose.label} is pending to resend: set the ${kind.label} again`,
        );
      }
      const issued = await this.codes.issue(tx, user, kind.codePurpose, value, codeDelivery(request));
      return { details: await this.writer.write(tx, user, caller, [issued.event]), verificationCode: issued.code };
    }, options.transaction);
  }

  /** The codes a channel's old value had: its verification code and the sign-in codes of the factor sending to it. */
  private async discardCodes(tx: Transaction, kind: ChannelKind, user: UserRecord): Promise<void> {
    await this.codes.discard(tx, user.id, kind.codePurpose);
    await this.codes.discard(tx, user.id, kind.otpCodePurpose);
  }

  /** Locks the user for a change of a channel: permission and privilege order, then the step-up rule. */
  private async lockForChange(tx: Transaction, caller: Caller, userId: string): Promise<{ user: UserRecord; audit: Record<string, unknown> }> {
    const { user, factorPolicy } = await this.access.lockWithPolicy(tx, caller, Permission.UserWrite, userId);
    return { user, audit: checkStepUp(caller, user.id, this.policies.inForce(factorPolicy)) };
  }

  /** The channel's value, which must be set and not yet verified. */
  private awaitingVerification(kind: ChannelKind, user: UserRecord): string {
    const value = kind.valueOf(user);
    if (value === null) throw new NotFoundError(`${kind.errorPrefix}-404`, `The user has no ${kind.label}`);
    if (kind.verifiedOf(user)) throw new FailedPreconditionError(`${kind.errorPrefix}-VERIFIED`, `The ${kind.label} is already verified`);
    return value;
  }

  private store(tx: Transaction, kind: ChannelKind, userId: string, value: string, verified: boolean): Promise<void> {
    return kind === PHONE_CHANNEL ? this.users.setPhone(tx, userId, value, verified) : this.users.setEmail(tx, userId, value, verified);
  }
}

/**
 * Nothing a client says about itself is trusted: only a caller acting on someone else (with `user.write`) may
 * mark a channel verified or have its code returned; a user verifies their own with the code sent to it.
 */
function refuseSelfAssertion(kind: ChannelKind, caller: Caller, userId: string, verification: ChannelVerification): void {
  if (caller.system || caller.userId !== userId) return;
  if (verification.kind === 'returnCode' || (verification.kind === 'isVerified' && verification.value)) {
    throw new PermissionDeniedError(
      'AUTHF-CHANNEL-SELF-403',
      `You cannot mark your own ${kind.label} verified or have its code returned: verify it with the code sent to it`,
    );
  }
}

/**
 * Where the security notice of a channel change goes, fixed when the change happens: the address verified then
 * (for an e-mail change, the one being replaced), not whatever the user has when the outbox gets to it.
 */
function noticeTo(user: UserRecord): { noticeTo?: string } {
  return user.email !== null && user.emailVerified ? { noticeTo: user.email } : {};
}

function codeDelivery(request: CodeRequest): CodeDelivery {
  return request.kind === 'sendCode' ? { mode: 'send', urlTemplate: request.urlTemplate } : { mode: 'return' };
}

function withPayload(type: string, payload: Record<string, unknown>): NewEvent {
  return Object.keys(payload).length > 0 ? { type, payload } : { type };
}
