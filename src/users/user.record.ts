/** Where a user is in its lifecycle; only an active user's tokens are accepted. A deleted user has no record. */
export type UserState = 'active' | 'inactive' | 'locked';

/** A human user as the read model holds it. */
export interface UserRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly username: string;
  readonly state: UserState;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly phone: string | null;
  readonly phoneVerified: boolean;
  readonly createdAt: Date;
  readonly changedAt: Date;
  /** Sequence of the last event of the user's stream. */
  readonly sequence: number;
}

/** Event types of the user aggregate (ZITADEL's names). */
export const UserEventType = {
  HumanAdded: 'user.human.added',
  EmailChanged: 'user.human.email.changed',
  EmailVerified: 'user.human.email.verified',
  PhoneChanged: 'user.human.phone.changed',
  PhoneVerified: 'user.human.phone.verified',
  PhoneRemoved: 'user.human.phone.removed',
  OtpSmsAdded: 'user.human.otp.sms.added',
  OtpSmsRemoved: 'user.human.otp.sms.removed',
  OtpEmailAdded: 'user.human.otp.email.added',
  OtpEmailRemoved: 'user.human.otp.email.removed',
  // Codes (never the code itself: its id, expiry and how it travels).
  PhoneCodeAdded: 'user.human.phone.code.added',
  PhoneCodeSent: 'user.human.phone.code.sent',
  PhoneVerificationFailed: 'user.human.phone.verification.failed',
  PhoneCodeExpired: 'user.human.phone.code.expired',
  EmailCodeAdded: 'user.human.email.code.added',
  EmailCodeSent: 'user.human.email.code.sent',
  EmailVerificationFailed: 'user.human.email.verification.failed',
  EmailCodeExpired: 'user.human.email.code.expired',
  OtpSmsCodeAdded: 'user.human.otp.sms.code.added',
  OtpSmsCodeSent: 'user.human.otp.sms.code.sent',
  OtpSmsCheckSucceeded: 'user.human.otp.sms.check.succeeded',
  OtpSmsCheckFailed: 'user.human.otp.sms.check.failed',
  OtpSmsCodeExpired: 'user.human.otp.sms.code.expired',
  OtpEmailCodeAdded: 'user.human.otp.email.code.added',
  OtpEmailCodeSent: 'user.human.otp.email.code.sent',
  OtpEmailCheckSucceeded: 'user.human.otp.email.check.succeeded',
  OtpEmailCheckFailed: 'user.human.otp.email.check.failed',
  OtpEmailCodeExpired: 'user.human.otp.email.code.expired',
  /** All second factors removed at once by an administrator (our extension; one removal event per factor precedes it). */
  MfaReset: 'user.human.mfa.reset',
  Deactivated: 'user.deactivated',
  Reactivated: 'user.reactivated',
  Locked: 'user.locked',
  Unlocked: 'user.unlocked',
  Removed: 'user.removed',
} as const;

export const USER_AGGREGATE = 'user';

/** The `cause` in the factor removal events an MFA reset writes (its own `user.human.mfa.reset` event follows them). */
export const MFA_RESET_CAUSE = 'mfa reset';
