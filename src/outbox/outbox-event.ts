import type { StoredEvent } from '@app/eventstore';
import { systemCaller } from '@app/auth';
import { MFA_RESET_CAUSE, USER_AGGREGATE, UserEventType } from '../users/user.record';

/** Where a delivery goes: an organization's webhook, the user's verified e-mail address (security notices), or a code to its destination. */
export type DeliveryTargetKind = 'webhook' | 'email' | 'code';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'skipped';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead', 'skipped'];

/** An event of the log, as the outbox reads it. */
export type OutboxEvent = StoredEvent;

/** The JSON body every webhook receives: one event, identified by `id` for de-duplication. */
export interface WebhookPayload {
  readonly id: string;
  readonly type: string;
  readonly userId: string;
  readonly organizationId: string;
  readonly sequence: string;
  readonly createdAt: string;
  readonly actor: string;
  /** Who acted: the user, an administrator, or the service itself (a code sent by the outbox). */
  readonly actorKind: 'self' | 'admin' | 'system';
}

const SYSTEM_ACTOR = systemCaller('').userId;

/** The type of the event a webhook's test sends (POST .../webhooks/{id}/_test): receivers can tell it apart. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** Webhooks receive the user events of their organization. */
export function isWebhookEvent(event: OutboxEvent): boolean {
  return event.aggregateType === USER_AGGREGATE;
}

/** Whether a webhook subscribed to `eventTypes` (exact keys, or `*` for all) wants `type`. */
export function subscribes(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes('*') || eventTypes.includes(type);
}

/** Builds a webhook's body, field by field. */
export function toWebhookPayload(event: OutboxEvent): WebhookPayload {
  return {
    id: event.id,
    type: event.type,
    userId: event.aggregateId,
    organizationId: event.resourceOwner,
    sequence: String(event.sequence),
    createdAt: event.createdAt.toISOString(),
    actor: event.creator,
    actorKind: event.creator === event.aggregateId ? 'self' : event.creator === SYSTEM_ACTOR ? 'system' : 'admin',
  };
}

const SECURITY_MAIL_CHANGES: Readonly<Record<string, string>> = {
  [UserEventType.OtpSmsAdded]: 'An OTP SMS factor was added to your account',
  [UserEventType.OtpSmsRemoved]: 'Your OTP SMS factor was removed',
  [UserEventType.OtpEmailAdded]: 'An OTP Email factor was added to your account',
  [UserEventType.OtpEmailRemoved]: 'Your OTP Email factor was removed',
  [UserEventType.PhoneRemoved]: 'The phone number of your account was removed (and OTP SMS with it, if it was configured)',
  [UserEventType.PhoneChanged]: 'The phone number of your account was changed (until a new number is verified, OTP SMS sends no code)',
  [UserEventType.EmailChanged]: 'The e-mail address of your account was changed (until a new address is verified, OTP Email sends no code)',
  [UserEventType.MfaReset]: 'All second factors of your account were removed (MFA reset)',
};

/**
 * Whether the event warrants a security e-mail to the user. An OTP SMS removed
 * because the phone was removed is told by the phone's e-mail, and the factors an
 * MFA reset removed by the reset's: one change, one message.
 */
export function needsSecurityMail(event: OutboxEvent): boolean {
  if (event.aggregateType !== USER_AGGREGATE || !(event.type in SECURITY_MAIL_CHANGES)) return false;
  // A channel given when the user was created is no change to warn about; a changed e-mail address is told to
  // the address verified before it, and without one there is nobody to tell.
  if (event.payload.atCreation === true) return false;
  if (event.type === UserEventType.EmailChanged && typeof event.payload.noticeTo !== 'string') return false;
  if (event.payload.cause === MFA_RESET_CAUSE) return false;
  return !(event.type === UserEventType.OtpSmsRemoved && event.payload.cause === 'phone removed');
}

/**
 * Where the security e-mail about `event` goes: for a channel change, the address verified when it happened (an
 * e-mail change: the address replaced), recorded in the event as `noticeTo`; else the user's verified address now.
 */
export function securityMailRecipient(event: OutboxEvent, verifiedEmail: string | undefined): string | undefined {
  const channelChange = [UserEventType.EmailChanged, UserEventType.PhoneChanged, UserEventType.PhoneRemoved].includes(event.type as never);
  if (!channelChange) return verifiedEmail;
  return typeof event.payload.noticeTo === 'string' ? event.payload.noticeTo : undefined;
}

/** The code a `*.code.added` event asks the outbox to send (by its id); undefined when the code was returned to the caller. */
export function codeToSend(event: OutboxEvent): string | undefined {
  if (event.aggregateType !== USER_AGGREGATE || !event.type.endsWith('.code.added') || event.payload.delivery !== 'send') return undefined;
  return typeof event.payload.codeId === 'string' ? event.payload.codeId : undefined;
}

/** The security e-mail telling the user about `event`. */
export function securityMail(event: OutboxEvent): { subject: string; text: string } {
  const change = SECURITY_MAIL_CHANGES[event.type] ?? `A security setting of your account changed (${event.type})`;
  const by = event.creator === event.aggregateId ? 'you (signed in to your account)' : `an administrator (user ${event.creator})`;
  const when = event.createdAt
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return {
    subject: `Security notice: ${change.split(' (')[0]}`,
    text: [
      `${change} on ${when}, by ${by}.`,
      '',
      "If this wasn't you, or you did not ask an administrator for it, contact your administrator at once and review the second factors of your account.",
      '',
      `Reference: event ${event.id}`,
    ].join('\n'),
  };
}
