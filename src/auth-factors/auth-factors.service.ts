import { Injectable, OnModuleInit } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { AbortedError, AlreadyExistsError, DomainError, errorInfo, FailedPreconditionError, NotFoundError, PermissionDeniedError } from '@app/errors';
import { NewEvent } from '@app/eventstore';
import { ObjectDetails } from '../common/object-details.mapper';
import { FactorPolicy } from '../factor-policy/factor-policy';
import { FactorPolicyService } from '../factor-policy/factor-policy.service';
import { checkStepUp, ERROR_DOMAIN } from '../factor-policy/step-up';
import { Permission } from '../permissions/permission';
import { RateLimitService, StatementHit } from '../rate-limit/rate-limit.service';
import { UserAccessService } from '../users/user-access.service';
import { UserChannelHooks } from '../users/user-channel.hooks';
import { UserEventWriter } from '../users/user-event.writer';
import { detailsOf } from '../users/user.mapper';
import { MFA_RESET_CAUSE, UserEventType, UserRecord } from '../users/user.record';
import { VerificationCodesService } from '../verification/verification-codes.service';
import { AUTH_FACTOR_KINDS, AuthFactorKind, AuthFactorType, OTP_EMAIL, OTP_SMS } from './auth-factor.kind';
import type { AuthFactorRecord } from './auth-factor.record';
import { AuthFactorsMetrics } from './auth-factors.metrics';
import { AuthFactorsRepository } from './auth-factors.repository';
import { checkForceReason, FactorCommandOptions, parseIdempotencyKey, parseIfMatch } from './factor-command.options';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

/**
 * The users' second factors. Every command is one transaction (lock the user,
 * check, change the read model, append the event, commit) and takes
 * `(caller, userId, options)`: `options.transaction` joins the caller's open
 * transaction instead, so other modules can compose.
 */
@Injectable()
export class AuthFactorsService implements OnModuleInit {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly factors: AuthFactorsRepository,
    private readonly access: UserAccessService,
    private readonly writer: UserEventWriter,
    private readonly channelHooks: UserChannelHooks,
    private readonly metrics: AuthFactorsMetrics,
    private readonly rateLimit: RateLimitService,
    private readonly policies: FactorPolicyService,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly codes: VerificationCodesService,
  ) {}

  onModuleInit(): void {
    // OTP SMS cannot outlive the phone it sends codes to.
    this.channelHooks.onPhoneRemoved(async (tx, user) => {
      if (!(await this.factors.remove(tx, user.id, OTP_SMS.type))) return [];
      // Removing the phone must not strip a forced-MFA user of their last factor by the back door.
      if ((await this.policies.effective(tx, user.organizationId)).forceMfa) await this.guardLastFactor(tx, user, OTP_SMS, false);
      return [{ type: OTP_SMS.removedEvent, payload: { cause: 'phone removed' } }];
    });
  }

  /** The factors configured for a user the caller may read, with where the user's stream stands (a list's details). */
  listOfUser(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<{ factors: AuthFactorRecord[]; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.readForQuery(tx, caller, Permission.UserRead, userId);
      return { factors: await this.factors.listByUser(tx, user.id), details: detailsOf(user) };
    }, options.transaction);
  }

  /** The factors and the user's sequence (the `ETag` of factor responses). */
  listWithSequence(caller: Caller, userId: string, options: TransactionOptions = {}): Promise<{ factors: AuthFactorRecord[]; sequence: number }> {
    return this.transactions.run(async (tx) => {
      const user = await this.access.readForQuery(tx, caller, Permission.UserRead, userId);
      return { factors: await this.factors.listByUser(tx, user.id), sequence: user.sequence };
    }, options.transaction);
  }

  /** Adds OTP SMS; the user needs a verified phone. */
  addOtpSms(caller: Caller, userId: string, options: FactorCommandOptions = {}): Promise<ObjectDetails> {
    return this.add(OTP_SMS, caller, userId, options);
  }

  /** Removes OTP SMS. */
  removeOtpSms(caller: Caller, userId: string, options: FactorCommandOptions = {}): Promise<ObjectDetails> {
    return this.remove(OTP_SMS, caller, userId, options);
  }

  /** Adds OTP Email; the user needs a verified e-mail address. */
  addOtpEmail(caller: Caller, userId: string, options: FactorCommandOptions = {}): Promise<ObjectDetails> {
    return this.add(OTP_EMAIL, caller, userId, options);
  }

  /** Removes OTP Email. */
  removeOtpEmail(caller: Caller, userId: string, options: FactorCommandOptions = {}): Promise<ObjectDetails> {
    return this.remove(OTP_EMAIL, caller, userId, options);
  }

  /**
   * For a sign-in module in the same process: issues a code for the user's OTP SMS, sent by the outbox to the
   * verified phone (or returned, with `returnCode`, for a module that delivers it itself). The user is the actor;
   * no permission is checked beyond the user being active: the calling module is the authority.
   */
  challengeOtpSms(userId: string, options: OtpChallengeOptions = {}): Promise<OtpChallenge> {
    return this.challenge(OTP_SMS, userId, options);
  }

  /** {@link challengeOtpSms} for OTP Email: the code goes to the verified e-mail address. */
  challengeOtpEmail(userId: string, options: OtpChallengeOptions = {}): Promise<OtpChallenge> {
    return this.challenge(OTP_EMAIL, userId, options);
  }

  /**
   * Checks a code of the user's OTP SMS challenge: single use, expiring, dead after too many wrong attempts.
   * Always in a transaction of its own, never the caller's: a wrong code is recorded (attempt count, event) and
   * committed before it is thrown, whatever the caller then does.
   */
  checkOtpSms(userId: string, code: string, options: OtpCheckOptions = {}): Promise<ObjectDetails> {
    return this.check(OTP_SMS, userId, code, options);
  }

  /** {@link checkOtpSms} for OTP Email. */
  checkOtpEmail(userId: string, code: string, options: OtpCheckOptions = {}): Promise<ObjectDetails> {
    return this.check(OTP_EMAIL, userId, code, options);
  }

  private async challenge(kind: AuthFactorKind, userId: string, options: OtpChallengeOptions): Promise<OtpChallenge> {
    const caller = signInCaller(userId, options.requestId);
    await this.rateLimit.consumeSignInAttempt(userId);
    return this.transactions.run(async (tx) => {
      const user = await this.lockForSignIn(tx, kind, caller);
      // A factor never sends a code to an unverified channel: after a change, the new value must be verified first.
      if (!kind.channelVerified(user)) {
        throw new FailedPreconditionError(`${kind.errorPrefix}-CHANNEL-UNVERIFIED`, `${kind.label} sends no code until the user has ${kind.channel}`);
      }
      const issued = await this.codes.issue(tx, user, kind.codePurpose, kind.channelOf(user)!, options.returnCode ? { mode: 'return' } : { mode: 'send' });
      const details = await this.writer.write(tx, user, caller, [issued.event]);
      return { details, expiresAt: issued.expiresAt, code: issued.code };
    }, options.transaction);
  }

  private async check(kind: AuthFactorKind, userId: string, code: string, options: OtpCheckOptions): Promise<ObjectDetails> {
    const caller = signInCaller(userId, options.requestId);
    await this.rateLimit.consumeSignInAttempt(userId);
    const outcome = await this.transactions.run(async (tx): Promise<{ details?: ObjectDetails; error?: DomainError }> => {
      const user = await this.lockForSignIn(tx, kind, caller);
      const check = await this.codes.check(tx, user, kind.codePurpose, kind.channelVerified(user) ? kind.channelOf(user) : null, code);
      const details = check.events.length > 0 ? await this.writer.write(tx, user, caller, check.events) : undefined;
      return check.ok ? { details } : { error: check.error };
    });
    if (outcome.error) throw outcome.error;
    return outcome.details!;
  }

  /** The user signing in, locked: active, with the factor configured. */
  private async lockForSignIn(tx: Transaction, kind: AuthFactorKind, caller: Caller): Promise<UserRecord> {
    const user = await this.access.lockForCommand(tx, caller, Permission.UserRead, caller.userId);
    if (user.state !== 'active') throw new FailedPreconditionError('AUTHF-USER-INACTIVE', 'The user is not active');
    if (!(await this.factors.listByUser(tx, user.id)).some((factor) => factor.type === kind.type)) {
      throw new NotFoundError(`${kind.errorPrefix}-404`, `${kind.label} is not configured for this user`);
    }
    return user;
  }

  /**
   * Removes all of the user's second factors in one transaction (an extension of ours; ZITADEL has no such
   * call): administrators only, never on oneself; under forced MFA only with `force` and a `reason`. One
   * removal event per factor, then one reset event, which alone warrants the security e-mail.
   */
  async resetMfa(caller: Caller, userId: string, options: FactorCommandOptions = {}): Promise<ObjectDetails> {
    if (caller.userId === userId) {
      throw new PermissionDeniedError('AUTHF-RESET-SELF', "An MFA reset is an administrator's act on another user; remove your own factors one by one");
    }
    const { ifMatch, idempotencyKey, reason } = parseProtections(options);
    await this.rateLimit.consumeFactorMutation(caller, options.transaction);
    return this.transactions.run(async (tx) => {
      const replayed = await this.claimIdempotencyKey(tx, caller, idempotencyKey, 'mfa.reset', userId);
      if (replayed) return replayed;
      // The privilege order too: an organization-level administrator cannot reset an instance administrator's MFA.
      const { user, factorPolicy } = await this.access.lockWithPolicy(tx, caller, Permission.UserWrite, userId);
      const audit = await this.checkProtections(tx, caller, user, this.policies.inForce(factorPolicy), ifMatch);
      const configured = await this.factors.listByUser(tx, user.id);
      if (configured.length === 0) throw new NotFoundError('AUTHF-RESET-404', 'The user has no second factors to reset');
      if (audit.policy.forceMfa && reason === undefined) {
        throw new FailedPreconditionError(
          'AUTHF-RESET-FORCE',
          "The organization requires a second factor: resetting the user's MFA needs force=true and a reason",
          [errorInfo('LAST_FACTOR_REQUIRED', ERROR_DOMAIN)],
        );
      }
      const payload = { ...audit.payload, ...(reason !== undefined ? { adminAction: true, force: true, reason } : {}) };
      const events: NewEvent[] = [];
      for (const factor of configured) {
        await this.factors.remove(tx, user.id, factor.type);
        events.push({ type: kindOf(factor.type).removedEvent, payload: { ...payload, cause: MFA_RESET_CAUSE } });
      }
      events.push({ type: UserEventType.MfaReset, payload: { ...payload, factors: configured.map((factor) => factor.type) } });
      return this.finish(tx, user, caller, idempotencyKey, events);
    }, options.transaction);
  }

  // Counted here, where every API (REST, gRPC, other modules) goes through.
  private add(kind: AuthFactorKind, caller: Caller, userId: string, options: FactorCommandOptions): Promise<ObjectDetails> {
    return this.metrics.countFactorChange(kind.type, 'add', () => this.changeFactor(kind, 'add', caller, userId, options));
  }

  private remove(kind: AuthFactorKind, caller: Caller, userId: string, options: FactorCommandOptions): Promise<ObjectDetails> {
    return this.metrics.countFactorChange(kind.type, 'remove', () => this.changeFactor(kind, 'remove', caller, userId, options));
  }

  /**
   * A factor change in two statements and no transaction: read the user (with the caller's roles, the policy and
   * the user's factors) and count the rate-limit hit, check, then one statement that locks the user and, only if
   * the user's stream still stands where it was read, makes the change and appends the event. If the user changed
   * meanwhile, or with an Idempotency-Key (claimed in the same transaction), it runs again under the user's lock
   * in a transaction; in the caller's transaction it joins that. A refused or failing attempt counts too: the
   * rate-limit hit is part of the first read, before anything is checked.
   */
  private async changeFactor(
    kind: AuthFactorKind,
    action: 'add' | 'remove',
    caller: Caller,
    userId: string,
    options: FactorCommandOptions,
  ): Promise<ObjectDetails> {
    const existing = options.transaction;
    const command: FactorCommand = { kind, action, caller, userId, ...parseProtections(options) };
    const hit = this.rateLimit.factorMutationInStatement(caller);
    const counted = { done: hit === undefined };
    if (existing === undefined && command.idempotencyKey === undefined) {
      const details = await this.transactions.autocommit((tx) => this.tryFactorChange(tx, command, false, hit, counted));
      if (details) return details;
    } else if (existing === undefined) {
      // A transaction of our own: a hit counted in it would be undone with it by a failure, so it counts first, on its own.
      counted.done = true;
      await this.rateLimit.consumeFactorMutation(caller);
    }
    return await this.transactions.run(async (tx) => {
      const replayed = await this.claimIdempotencyKey(tx, caller, command.idempotencyKey, `${kind.type}.${action}`, userId);
      if (replayed) return replayed;
      for (let attempt = 1; ; attempt++) {
        // The first read after waiting for the lock may show the stream from before the wait: the write then finds it moved, and the next read is current.
        const details = await this.tryFactorChange(tx, command, true, hit, counted);
        if (details) {
          if (command.idempotencyKey !== undefined) await this.idempotencyKeys.complete(tx, caller.userId, command.idempotencyKey, details);
          return details;
        }
        if (attempt === LOCKED_ATTEMPTS) throw new AbortedError('AUTHF-FACTOR-CONFLICT', 'The user kept changing while this command ran; try again');
      }
    }, existing);
  }

  /**
   * One attempt of a factor change: read (locked with `lock`), check, write if the user is unchanged since.
   * Undefined: the user changed between the read and the write, nothing was written; read again.
   */
  private async tryFactorChange(
    tx: Transaction,
    command: FactorCommand,
    lock: boolean,
    hit: StatementHit | undefined,
    counted: { done: boolean },
  ): Promise<ObjectDetails | undefined> {
    const { kind, action, caller } = command;
    const permission = action === 'add' ? Permission.UserCredentialWrite : Permission.UserWrite;
    // The rate-limit hit goes with the first read, counted before any check (and, the counter being unlogged, without
    // a WAL flush at that read's commit); that read is never locked: the write checks the user did not change since.
    const counting = counted.done ? undefined : hit;
    counted.done = true;
    const { user, factorPolicy, factorTypes } = await this.access.readWithPolicy(tx, caller, permission, command.userId, {
      lock: lock && counting === undefined,
      alongside: counting,
    });
    const policy = this.policies.inForce(factorPolicy);
    const payload = checkStepUp(caller, user.id, policy);
    checkIfMatch(command.ifMatch, user.sequence);
    if (action === 'add') {
      if (!kind.channelVerified(user)) {
        throw new FailedPreconditionError(`${kind.errorPrefix}-PRECONDITION`, `${kind.label} needs ${kind.channel}`);
      }
      if (factorTypes.includes(kind.type)) {
        throw new AlreadyExistsError(`${kind.errorPrefix}-409`, `${kind.label} is already configured for this user`);
      }
    } else {
      if (!factorTypes.includes(kind.type)) throw new NotFoundError(`${kind.errorPrefix}-404`, `${kind.label} is not configured for this user`);
      // The factors read are those the write finds (it checks the stream has not moved): a concurrent removal of the other factor cannot also pass.
      if (policy.forceMfa && factorTypes.length === 1 && this.lastFactorOverridden(user, kind, caller.userId !== user.id && command.reason !== undefined)) {
        Object.assign(payload, { adminAction: true, force: true, reason: command.reason });
      }
    }
    const event = withPayload(action === 'add' ? kind.addedEvent : kind.removedEvent, payload);
    return this.writer.writeIfAt(tx, user, caller, [event], user.sequence, this.factors.changeFragment(user.id, kind.type, action));
  }

  /**
   * Claims the idempotency key (if any) first in the transaction, so that a
   * concurrent duplicate waits here; returns the first call's answer to replay.
   */
  private async claimIdempotencyKey(
    tx: Transaction,
    caller: Caller,
    key: string | undefined,
    operation: string,
    target: string,
  ): Promise<ObjectDetails | undefined> {
    if (key === undefined || (await this.idempotencyKeys.claim(tx, caller.userId, key, operation, target))) return undefined;
    const stored = await this.idempotencyKeys.find(tx, caller.userId, key);
    if (!stored || stored.operation !== operation || stored.target !== target) {
      throw new AlreadyExistsError('AUTHF-IDEM-409', 'This Idempotency-Key was already used for another operation or user', [
        errorInfo('IDEMPOTENCY_KEY_REUSED', ERROR_DOMAIN),
      ]);
    }
    if (!stored.outcome) throw new AbortedError('AUTHF-IDEM-409-BUSY', 'This Idempotency-Key is in use by a command of the same transaction');
    return stored.outcome;
  }

  /**
   * The checks after the user's lock and permission: step-up freshness for
   * self-service (administrators on other users are exempt, and recorded so),
   * then the If-Match precondition.
   */
  private async checkProtections(
    tx: Transaction,
    caller: Caller,
    user: UserRecord,
    policy: FactorPolicy,
    ifMatch: readonly number[] | 'any' | undefined,
  ): Promise<{ policy: FactorPolicy; payload: Record<string, unknown> }> {
    const payload = checkStepUp(caller, user.id, policy);
    if (ifMatch !== undefined && ifMatch !== 'any') checkIfMatch(ifMatch, await this.access.currentSequence(tx, user.id));
    return { policy, payload };
  }

  /**
   * Under forced MFA, refuses a removal that left the user without any second
   * factor, unless `override` (an administrator's force with a reason); true when overridden.
   */
  private async guardLastFactor(tx: Transaction, user: UserRecord, kind: AuthFactorKind, override: boolean): Promise<boolean> {
    if ((await this.factors.listByUser(tx, user.id)).length > 0) return false;
    return this.lastFactorOverridden(user, kind, override);
  }

  /** The user is about to lose their last factor under forced MFA: refused unless `override`; true when overridden. */
  private lastFactorOverridden(user: UserRecord, kind: AuthFactorKind, override: boolean): boolean {
    if (override) return true;
    throw new FailedPreconditionError(
      'AUTHF-FACTOR-LAST',
      `${kind.label} is the user's last second factor and the organization requires one; add another first (an administrator may remove it with force=true and a reason)`,
      [errorInfo('LAST_FACTOR_REQUIRED', ERROR_DOMAIN)],
    );
  }

  /** Appends the event(s) and records the answer under the idempotency key, in the command's transaction. */
  private async finish(
    tx: Transaction,
    user: UserRecord,
    caller: Caller,
    idempotencyKey: string | undefined,
    events: NewEvent | readonly NewEvent[],
  ): Promise<ObjectDetails> {
    const details = await this.writer.write(tx, user, caller, Array.isArray(events) ? events : [events]);
    if (idempotencyKey !== undefined) await this.idempotencyKeys.complete(tx, caller.userId, idempotencyKey, details);
    return details;
  }
}

export interface OtpCheckOptions {
  /** The sign-in request's id, recorded in the events. */
  readonly requestId?: string;
}

export interface OtpChallengeOptions extends OtpCheckOptions, TransactionOptions {
  /** Return the code instead of sending it (the calling module delivers it). */
  readonly returnCode?: boolean;
}

/** A challenge issued: where the user's stream stands, when the code expires, and the code if it was to be returned. */
export interface OtpChallenge {
  readonly details: ObjectDetails;
  readonly expiresAt: Date;
  readonly code?: string;
}

/** Attempts of a factor change under the user's lock before it gives up (see changeFactor). */
const LOCKED_ATTEMPTS = 4;

/** A factor change as asked, its protections parsed. */
interface FactorCommand {
  readonly kind: AuthFactorKind;
  readonly action: 'add' | 'remove';
  readonly caller: Caller;
  readonly userId: string;
  readonly ifMatch: readonly number[] | 'any' | undefined;
  readonly idempotencyKey: string | undefined;
  readonly reason: string | undefined;
}

/** The user signing in acts on themselves. */
function signInCaller(userId: string, requestId: string | undefined): Caller {
  return { userId, requestId: requestId ?? `sign-in-${userId}` };
}

/** Checks the client's protections before anything runs: a malformed one is 400 (code 3). */
function parseProtections(options: FactorCommandOptions): {
  ifMatch: readonly number[] | 'any' | undefined;
  idempotencyKey: string | undefined;
  reason: string | undefined;
} {
  return { ifMatch: parseIfMatch(options.ifMatch), idempotencyKey: parseIdempotencyKey(options.idempotencyKey), reason: checkForceReason(options) };
}

/** The If-Match precondition against the user's current sequence: 409 (code 10) when none of the tags is it; none or `*` always holds. */
function checkIfMatch(ifMatch: readonly number[] | 'any' | undefined, sequence: number): void {
  if (ifMatch !== undefined && ifMatch !== 'any' && !ifMatch.includes(sequence)) {
    throw new AbortedError(
      'AUTHF-IFMATCH-409',
      `The user has changed since (sequence ${sequence}, If-Match ${ifMatch.map((s) => `"${s}"`).join(', ')}); read it again`,
      [errorInfo('PRECONDITION_FAILED', ERROR_DOMAIN, { sequence: String(sequence) })],
    );
  }
}

function kindOf(type: AuthFactorType): AuthFactorKind {
  return AUTH_FACTOR_KINDS.find((kind) => kind.type === type)!;
}

/** The event, with a payload only when there is something to record (events without protections stay `{}`). */
function withPayload(type: string, payload: Record<string, unknown>): NewEvent {
  return Object.keys(payload).length > 0 ? { type, payload } : { type };
}
