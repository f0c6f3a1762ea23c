import { CodePurpose, EMAIL_CODE, OTP_EMAIL_CODE, OTP_SMS_CODE, PHONE_CODE } from '../verification/code-purpose';
import { UserEventType, UserRecord } from '../users/user.record';

/** What differs between a user's phone and e-mail address; their lifecycle is the same. */
export interface ChannelKind {
  readonly name: 'phone' | 'email';
  /** As people read it: "phone", "e-mail address". */
  readonly label: string;
  /** Prefix of this channel's error ids: `AUTHF-PHONE-…`. */
  readonly errorPrefix: string;
  /** The code that verifies the channel. */
  readonly codePurpose: CodePurpose;
  /** The sign-in codes of the factor that sends to the channel: void once the channel changes. */
  readonly otpCodePurpose: CodePurpose;
  readonly changedEvent: string;
  readonly valueOf: (user: UserRecord) => string | null;
  readonly verifiedOf: (user: UserRecord) => boolean;
}

export const PHONE_CHANNEL: ChannelKind = {
  name: 'phone',
  label: 'phone',
  errorPrefix: 'AUTHF-PHONE',
  codePurpose: PHONE_CODE,
  otpCodePurpose: OTP_SMS_CODE,
  changedEvent: UserEventType.PhoneChanged,
  valueOf: (user) => user.phone,
  verifiedOf: (user) => user.phoneVerified,
};

export const EMAIL_CHANNEL: ChannelKind = {
  name: 'email',
  label: 'e-mail address',
  errorPrefix: 'AUTHF-EMAIL',
  codePurpose: EMAIL_CODE,
  otpCodePurpose: OTP_EMAIL_CODE,
  changedEvent: UserEventType.EmailChanged,
  valueOf: (user) => user.email,
  verifiedOf: (user) => user.emailVerified,
};
