import { Column, Entity, ForeignKey, PrimaryColumn, Unique } from 'typeorm';
import type { CodePurposeName } from '../code-purpose';

/** A pending code: one per user and purpose; a new one replaces it. The code itself is never stored, only its keyed hash. */
@Entity('verification_codes')
@Unique('verification_codes_one_per_purpose', ['userId', 'purpose'])
export class VerificationCodeEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  // By table name: the users feature's entity is not imported here. A user's codes go with the user.
  @ForeignKey('users', { name: 'verification_codes_user_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ name: 'organization_id', type: 'text' })
  organizationId: string;

  @Column({ type: 'text' })
  purpose: CodePurposeName;

  /** HMAC-SHA256 of the code, keyed with the code secret and bound to the code's id and purpose. */
  @Column({ name: 'code_hash', type: 'bytea' })
  codeHash: Buffer;

  /** The phone number or e-mail address the code proves. */
  @Column({ type: 'text' })
  destination: string;

  /** The e-mail's link, with ZITADEL's placeholders (`{{.Code}}`, `{{.UserID}}`, `{{.OrgID}}`). */
  @Column({ name: 'url_template', type: 'text', nullable: true })
  urlTemplate: string | null;

  /** The code, encrypted (AES-256-GCM), only until the outbox has sent it; null once sent, or when returned to the caller. */
  @Column({ name: 'pending_delivery', type: 'bytea', nullable: true })
  pendingDelivery: Buffer | null;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
