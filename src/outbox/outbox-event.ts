import type { StoredEvent } from '@app/eventstore';
import { USER_AGGREGATE, UserEventType } from '../users/user.record';

/** Where a delivery goes: an organization's webhook, or the user's verified e-mail address. */
export type DeliveryTargetKind = 'webhook' | 'email';

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
  readonly actorKind: 'self' | 'admin';
}

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
    actorKind: event.creator === event.aggregateId ? 'self' : 'admin',
  };
}

const SECURITY_MAIL_CHANGES: Readonly<Record<string, string>> = {
  [UserEventType.OtpSmsAdded]: 'An OTP SMS factor was added to your account',
  [UserEventType.OtpSmsRemoved]: 'Your OTP SMS factor was removed',
  [UserEventType.OtpEmailAdded]: 'An OTP Email factor was added to your account',
  [UserEventType.OtpEmailRemoved]: 'Your OTP Email factor was removed',
  [UserEventType.PhoneRemoved]: 'The phone number of your account was removed (and OTP SMS with it, if it was configured)',
};

/**
 * Whether the event warrants a security e-mail to the user. An OTP SMS removed
 * because the phone was removed is told by the phone's e-mail: one change, one message.
 */
export function needsSecurityMail(event: OutboxEvent): boolean {
  if (event.aggregateType !== USER_AGGREGATE || !(event.type in SECURITY_MAIL_CHANGES)) return false;
  return !(event.type === UserEventType.OtpSmsRemoved && event.payload.cause === 'phone removed');
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
