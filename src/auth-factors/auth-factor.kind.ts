import { UserEventType, UserRecord } from '../users/user.record';
import { CodePurpose, OTP_EMAIL_CODE, OTP_SMS_CODE } from '../verification/code-purpose';

export type AuthFactorType = 'otp_sms' | 'otp_email';

/** What differs between the OTP factors; the rules around them are the same. */
export interface AuthFactorKind {
  readonly type: AuthFactorType;
  /** As people read it: "OTP SMS". */
  readonly label: string;
  /** Prefix of this factor's error ids: `AUTHF-SMS-404`. */
  readonly errorPrefix: string;
  readonly addedEvent: string;
  readonly removedEvent: string;
  /** The channel the factor sends codes to, as the precondition error names it. */
  readonly channel: string;
  readonly channelVerified: (user: UserRecord) => boolean;
  /** Where the factor's codes go: the user's phone or e-mail address. */
  readonly channelOf: (user: UserRecord) => string | null;
  readonly codePurpose: CodePurpose;
}

export const OTP_SMS: AuthFactorKind = {
  type: 'otp_sms',
  label: 'OTP SMS',
  errorPrefix: 'AUTHF-SMS',
  addedEvent: UserEventType.OtpSmsAdded,
  removedEvent: UserEventType.OtpSmsRemoved,
  channel: 'a verified phone',
  channelVerified: (user) => user.phone !== null && user.phoneVerified,
  channelOf: (user) => user.phone,
  codePurpose: OTP_SMS_CODE,
};

export const OTP_EMAIL: AuthFactorKind = {
  type: 'otp_email',
  label: 'OTP Email',
  errorPrefix: 'AUTHF-EMAIL',
  addedEvent: UserEventType.OtpEmailAdded,
  removedEvent: UserEventType.OtpEmailRemoved,
  channel: 'a verified e-mail address',
  channelVerified: (user) => user.email !== null && user.emailVerified,
  channelOf: (user) => user.email,
  codePurpose: OTP_EMAIL_CODE,
};

export const AUTH_FACTOR_KINDS: readonly AuthFactorKind[] = [OTP_SMS, OTP_EMAIL];
