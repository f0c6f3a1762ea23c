import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import type { AuthFactorType } from '../auth-factor.kind';

/** A configured second factor of a user. */
@Entity('auth_factors')
@Check('auth_factors_type_check', `type IN ('otp_sms', 'otp_email')`)
@Check('auth_factors_state_check', `state IN ('ready')`)
export class AuthFactorEntity {
  // By table name: the users feature's entity is not imported here. A user's factors go with the user.
  @ForeignKey('users', { name: 'auth_factors_user_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @PrimaryColumn({ type: 'text' })
  type: AuthFactorType;

  @Column({ type: 'text', default: 'ready' })
  state: 'ready';

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
