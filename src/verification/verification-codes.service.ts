import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction } from '@app/database';
import { DomainError, FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError } from '@app/errors';
import { NewEvent } from '@app/eventstore';
import { IdGenerator } from '@app/ids';
import type { UserRef } from '../permissions/permissions.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { CODE_PURPOSES, CodeChannel, CodePurpose } from './code-purpose';
import { CodeSecrets } from './code-secrets';
import { VerificationCodesRepository } from './verification-codes.repository';

/** How a new code reaches its owner: sent by the outbox (to `destination`), or returned to a caller who delivers it. */
export type CodeDelivery = { readonly mode: 'send'; readonly urlTemplate?: string } | { readonly mode: 'return' };

/** A code just issued: the event recording it, and the code itself only when it is to be returned. */
export interface IssuedCode {
  readonly event: NewEvent;
  readonly expiresAt: Date;
  readonly code?: string;
}

/** What checking a code found: success, or the error to report after committing the events that record the failure. */
export type CodeCheck = { readonly ok: true; readonly events: NewEvent[] } | { readonly ok: false; readonly error: DomainError; readonly events: NewEvent[] };

/** A code the outbox is to send. */
export interface PendingCodeDelivery {
  readonly codeId: string;
  readonly purpose: CodePurpose;
  readonly user: UserRef;
  readonly destination: string;
  readonly code: string;
  readonly expiresAt: Date;
  /** The link for an e-mail, with the code and ids filled in. */
  readonly url?: string;
}

const URL_TEMPLATE_MAX_LENGTH = 2000;
const PLACEHOLDERS: Readonly<Record<string, (values: { code: string; userId: string; organizationId: string }) => string>> = {
  '{{.Code}}': (v) => v.code,
  '{{.UserID}}': (v) => v.userId,
  '{{.OrgID}}': (v) => v.organizationId,
};

/**
 * The one code engine of phone and e-mail verification and of the OTP factors: codes from the CSPRNG, kept only
 * as a keyed hash, expiring, single use, replaced by a newer one, compared in constant time and dead after too
 * many wrong attempts. It returns the events that record a code's life; the command writes them with its own.
 * Every method runs in the command's transaction, under the user's lock.
 */
@Injectable()
export class VerificationCodesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly codes: VerificationCodesRepository,
    private readonly secrets: CodeSecrets,
    private readonly ids: IdGenerator,
    private readonly rateLimit: RateLimitService,
  ) {}

  /** Issues a new code of `purpose` for `destination`, replacing the user's earlier one. */
  async issue(tx: Transaction, user: UserRef, purpose: CodePurpose, destination: string, delivery: CodeDelivery): Promise<IssuedCode> {
    if (delivery.mode === 'send') await this.admitSend(tx, user, purpose, destination);
    const urlTemplate = delivery.mode === 'send' && delivery.urlTemplate !== undefined ? checkUrlTemplate(delivery.urlTemplate) : null;
    const id = this.ids.next();
    const code = this.secrets.generate(purpose.alphabet, purpose.alphabet === 'otp' ? this.config.codes.otpLength : this.config.codes.verificationLength);
    const expiresAt = new Date(Date.now() + this.config.codes.ttlSeconds * 1000);
    await this.codes.replace(tx, {
      id,
      userId: user.id,
      organizationId: user.organizationId,
      purpose: purpose.name,
      codeHash: this.secrets.hash(id, purpose.name, code),
      destination,
      urlTemplate,
      pendingDelivery: delivery.mode === 'send' ? this.secrets.seal(id, code) : null,
      expiresAt,
    });
    const payload: Record<string, unknown> = { codeId: id, expiresAt: expiresAt.toISOString(), delivery: delivery.mode };
    if (urlTemplate !== null) payload.urlTemplate = urlTemplate;
    return { event: { type: purpose.events.added, payload }, expiresAt, code: delivery.mode === 'return' ? code : undefined };
  }

  /**
   * Checks `candidate` against the user's pending code of `purpose`, which must have been issued for `destination`
   * (the channel's current value). A match uses the code up; a wrong one counts, and the last allowed one kills the
   * code; an expired one is removed. Failures come back with their events, for the command to commit before it
   * reports the error: a rolled-back attempt would not count, which is why no check joins a caller's transaction.
   */
  async check(tx: Transaction, user: UserRef, purpose: CodePurpose, destination: string | null, candidate: string): Promise<CodeCheck> {
    const stored = await this.codes.find(tx, user.id, purpose.name);
    if (!stored || destination === null || stored.destination !== destination) {
      return { ok: false, error: noCode(purpose), events: [] };
    }
    if (stored.expiresAt.getTime() <= Date.now()) {
      await this.codes.remove(tx, user.id, purpose.name);
      return {
        ok: false,
        error: new FailedPreconditionError(`${purpose.errorPrefix}-EXPIRED`, `The ${purpose.label} has expired: request a new one`),
        events: [{ type: purpose.events.expired, payload: { codeId: stored.id } }],
      };
    }
    const maxAttempts = this.config.codes.maxAttempts;
    if (stored.failedAttempts >= maxAttempts) return { ok: false, error: tooManyAttempts(purpose), events: [] };
    if (!this.secrets.matches(stored.id, purpose.name, normalize(candidate), stored.codeHash)) {
      const attempt = stored.failedAttempts + 1;
      await this.codes.countFailure(tx, stored.id);
      const left = maxAttempts - attempt;
      return {
        ok: false,
        error:
          left > 0
            ? new InvalidArgumentError(`${purpose.errorPrefix}-INVALID`, `The ${purpose.label} is wrong (${left} attempt${left === 1 ? '' : 's'} left)`)
            : tooManyAttempts(purpose),
        events: [{ type: purpose.events.failed, payload: { codeId: stored.id, attempt } }],
      };
    }
    await this.codes.remove(tx, user.id, purpose.name);
    return { ok: true, events: [{ type: purpose.events.succeeded, payload: { codeId: stored.id, verifiedBy: 'code' } }] };
  }

  /** Whether the user has a live code of `purpose` for `destination` (a resend replaces it). */
  async hasPending(tx: Transaction, userId: string, purpose: CodePurpose, destination: string | null): Promise<boolean> {
    const stored = await this.codes.find(tx, userId, purpose.name);
    return stored !== undefined && stored.destination === destination && stored.expiresAt.getTime() > Date.now();
  }

  /** Drops the user's pending code of `purpose`, if any (its channel changed or went away). */
  async discard(tx: Transaction, userId: string, purpose: CodePurpose): Promise<void> {
    await this.codes.remove(tx, userId, purpose.name);
  }

  /** A code the outbox is to send; undefined when it was sent, used, replaced or has expired since. */
  async pendingDelivery(codeId: string): Promise<PendingCodeDelivery | undefined> {
    const stored = await this.codes.findById(codeId);
    if (!stored?.pendingDelivery || stored.expiresAt.getTime() <= Date.now()) return undefined;
    const code = this.secrets.open(stored.id, stored.pendingDelivery);
    const user = { id: stored.userId, organizationId: stored.organizationId };
    return {
      codeId: stored.id,
      purpose: CODE_PURPOSES[stored.purpose],
      user,
      destination: stored.destination,
      code,
      expiresAt: stored.expiresAt,
      url: stored.urlTemplate === null ? undefined : fillUrlTemplate(stored.urlTemplate, { code, userId: user.id, organizationId: user.organizationId }),
    };
  }

  /** Records that the code was sent: its encrypted copy is dropped; the event to append, or undefined if it was gone. */
  async markSent(tx: Transaction, delivery: PendingCodeDelivery): Promise<NewEvent | undefined> {
    if (!(await this.codes.clearPendingDelivery(tx, delivery.codeId))) return undefined;
    return { type: delivery.purpose.events.sent, payload: { codeId: delivery.codeId } };
  }

  /** Drops the code's encrypted copy without a send to record (the delivery was skipped: development without a provider). */
  async dropPendingDelivery(tx: Transaction, delivery: PendingCodeDelivery): Promise<void> {
    await this.codes.clearPendingDelivery(tx, delivery.codeId);
  }

  /**
   * The bounds of sending (no SMS pumping, no mail bombing): a code that can be delivered, not sooner than the
   * resend interval after the user's last code of the purpose, and within the hourly budget of its destination.
   */
  private async admitSend(tx: Transaction, user: UserRef, purpose: CodePurpose, destination: string): Promise<void> {
    this.assertDeliverable(purpose.channel);
    const previous = await this.codes.find(tx, user.id, purpose.name);
    const waitMs = previous ? previous.createdAt.getTime() + this.config.codes.resendIntervalSeconds * 1000 - Date.now() : 0;
    if (waitMs > 0) {
      throw new ResourceExhaustedError(
        `${purpose.errorPrefix}-429`,
        `A ${purpose.label} was issued moments ago: wait ${Math.ceil(waitMs / 1000)} s before asking for another`,
        Math.ceil(waitMs / 1000),
      );
    }
    await this.rateLimit.consumeCodeSend(destination, tx);
  }

  /**
   * Refuses, at the call, a code that could not be delivered: in production with no SMS provider or no SMTP
   * server. In development it is accepted; the outbox logs the code and records the delivery as skipped.
   */
  private assertDeliverable(channel: CodeChannel): void {
    if (!this.config.production) return;
    if (channel === 'sms' && this.config.sms.provider === 'none') {
      throw new FailedPreconditionError('AUTHF-SMS-DELIVERY-UNSET', 'No SMS provider is configured (SMS_PROVIDER), so no code can be sent by SMS');
    }
    if (channel === 'email' && !this.config.smtp.url) {
      throw new FailedPreconditionError('AUTHF-MAIL-DELIVERY-UNSET', 'No SMTP server is configured (SMTP_URL), so no code can be sent by e-mail');
    }
  }
}

/** Codes are compared as upper case without surrounding space: what people type from a message. */
function normalize(candidate: string): string {
  return candidate.trim().toUpperCase();
}

function noCode(purpose: CodePurpose): FailedPreconditionError {
  return new FailedPreconditionError(`${purpose.errorPrefix}-NONE`, `No ${purpose.label} is pending: request one first`);
}

function tooManyAttempts(purpose: CodePurpose): FailedPreconditionError {
  return new FailedPreconditionError(`${purpose.errorPrefix}-LOCKED`, `The ${purpose.label} was entered wrong too often: request a new one`);
}

/** A `urlTemplate`, checked: an http(s) URL of at most 2000 characters once filled, with no placeholder but ZITADEL's three. */
export function checkUrlTemplate(template: string): string {
  const invalid = (why: string) => new InvalidArgumentError('AUTHF-EMAIL-URL-TEMPLATE', `urlTemplate ${why}`);
  if (template.length > URL_TEMPLATE_MAX_LENGTH) throw invalid(`must be at most ${URL_TEMPLATE_MAX_LENGTH} characters`);
  const unknown = template.replace(/\{\{\.(Code|UserID|OrgID)\}\}/g, '').match(/\{\{[^}]*\}\}/);
  if (unknown) throw invalid(`has an unknown placeholder ${unknown[0]}: use {{.Code}}, {{.UserID}} or {{.OrgID}}`);
  let url: URL;
  try {
    url = new URL(fillUrlTemplate(template, { code: 'CODE', userId: '1', organizationId: '1' }));
  } catch {
    throw invalid('must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('must be an absolute http or https URL');
  return template;
}

function fillUrlTemplate(template: string, values: { code: string; userId: string; organizationId: string }): string {
  return template.replace(/\{\{\.(Code|UserID|OrgID)\}\}/g, (placeholder) => encodeURIComponent(PLACEHOLDERS[placeholder](values)));
}
