/** A human user as the read model holds it. */
export interface UserRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly username: string;
  readonly state: 'active' | 'inactive';
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
} as const;

export const USER_AGGREGATE = 'user';
