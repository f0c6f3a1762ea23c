import { CodePurpose, EMAIL_CODE, PHONE_CODE } from '../verification/code-purpose';
import { UserEventType, UserRecord } from '../users/user.record';

/** What differs between a user's phone and e-mail address; their lifecycle is the same. */
export interface ChannelKind {
  readonly name: 'phone' | 'email';
  /** As people read it: "phone", "e-mail address". */
  readonly label: string;
  /** Prefix of this channel's error ids: `AUTHF-PHONE-…`. */
  readonly errorPrefix: string;
  readonly codePurpose: CodePurpose;
  readonly changedEvent: string;
  readonly verifiedEvent: string;
  readonly valueOf: (user: UserRecord) => string | null;
  readonly verifiedOf: (user: UserRecord) => boolean;
}

export const PHONE_CHANNEL: ChannelKind = {
  name: 'phone',
  label: 'phone',
  errorPrefix: 'AUTHF-PHONE',
  codePurpose: PHONE_CODE,
  changedEvent: UserEventType.PhoneChanged,
  verifiedEvent: UserEventType.PhoneVerified,
  valueOf: (user) => user.phone,
  verifiedOf: (user) => user.phoneVerified,
};

export const EMAIL_CHANNEL: ChannelKind = {
  name: 'email',
  label: 'e-mail address',
  errorPrefix: 'AUTHF-EMAIL',
  codePurpose: EMAIL_CODE,
  changedEvent: UserEventType.EmailChanged,
  verifiedEvent: UserEventType.EmailVerified,
  valueOf: (user) => user.email,
  verifiedOf: (user) => user.emailVerified,
};
