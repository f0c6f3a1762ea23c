import { UserEventType } from '../users/user.record';

export type CodePurposeName = 'phone' | 'email' | 'otp_sms' | 'otp_email';

/** Where a code travels. */
export type CodeChannel = 'sms' | 'email';

/** What differs between the codes' uses; the engine around them is the same. */
export interface CodePurpose {
  readonly name: CodePurposeName;
  readonly channel: CodeChannel;
  /** As people read it: "phone verification code". */
  readonly label: string;
  /** Prefix of this purpose's error ids: `AUTHF-PHONE-CODE-INVALID`. */
  readonly errorPrefix: string;
  /** `verification`: upper-case letters and digits; `otp`: digits. */
  readonly alphabet: 'verification' | 'otp';
  readonly events: {
    readonly added: string;
    readonly sent: string;
    readonly succeeded: string;
    readonly failed: string;
    readonly expired: string;
  };
}

export const PHONE_CODE: CodePurpose = {
  name: 'phone',
  channel: 'sms',
  label: 'phone verification code',
  errorPrefix: 'AUTHF-PHONE-CODE',
  alphabet: 'verification',
  events: {
    added: UserEventType.PhoneCodeAdded,
    sent: UserEventType.PhoneCodeSent,
    succeeded: UserEventType.PhoneVerified,
    failed: UserEventType.PhoneVerificationFailed,
    expired: UserEventType.PhoneCodeExpired,
  },
};

export const EMAIL_CODE: CodePurpose = {
  name: 'email',
  channel: 'email',
  label: 'e-mail verification code',
  errorPrefix: 'AUTHF-EMAIL-CODE',
  alphabet: 'verification',
  events: {
    added: UserEventType.EmailCodeAdded,
    sent: UserEventType.EmailCodeSent,
    succeeded: UserEventType.EmailVerified,
    failed: UserEventType.EmailVerificationFailed,
    expired: UserEventType.EmailCodeExpired,
  },
};

export const OTP_SMS_CODE: CodePurpose = {
  name: 'otp_sms',
  channel: 'sms',
  label: 'OTP SMS code',
  errorPrefix: 'AUTHF-SMS-CODE',
  alphabet: 'otp',
  events: {
    added: UserEventType.OtpSmsCodeAdded,
    sent: UserEventType.OtpSmsCodeSent,
    succeeded: UserEventType.OtpSmsCheckSucceeded,
    failed: UserEventType.OtpSmsCheckFailed,
    expired: UserEventType.OtpSmsCodeExpired,
  },
};

export const OTP_EMAIL_CODE: CodePurpose = {
  name: 'otp_email',
  channel: 'email',
  label: 'OTP Email code',
  errorPrefix: 'AUTHF-OTPEMAIL-CODE',
  alphabet: 'otp',
  events: {
    added: UserEventType.OtpEmailCodeAdded,
    sent: UserEventType.OtpEmailCodeSent,
    succeeded: UserEventType.OtpEmailCheckSucceeded,
    failed: UserEventType.OtpEmailCheckFailed,
    expired: UserEventType.OtpEmailCodeExpired,
  },
};

export const CODE_PURPOSES: Readonly<Record<CodePurposeName, CodePurpose>> = {
  phone: PHONE_CODE,
  email: EMAIL_CODE,
  otp_sms: OTP_SMS_CODE,
  otp_email: OTP_EMAIL_CODE,
};
