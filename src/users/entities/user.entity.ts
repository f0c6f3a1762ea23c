import { Check, Column, Entity, ForeignKey, PrimaryColumn, Unique } from 'typeorm';
import type { UserState } from '../user.record';

/** A human user of the read model; its sequence and change time are its event stream's. */
@Entity('users')
@Unique('users_username_per_organization', ['organizationId', 'username'])
@Check('users_id_check', 'char_length(id) BETWEEN 1 AND 200')
@Check('users_username_check', 'char_length(username) BETWEEN 1 AND 200')
@Check('users_state_check', `state IN ('active', 'inactive', 'locked')`)
// PostgreSQL's names for the two table CHECKs of the migration, in their order there.
@Check('users_check', 'email IS NOT NULL OR NOT email_verified')
@Check('users_check1', 'phone IS NOT NULL OR NOT phone_verified')
export class UserEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  // By table name: the organizations feature's entity is not imported here.
  @ForeignKey('organizations', { name: 'users_organization_id_fkey' })
  @Column({ name: 'organization_id', type: 'text' })
  organizationId: string;

  @Column({ type: 'text' })
  username: string;

  @Column({ type: 'text', default: 'active' })
  state: UserState;

  @Column({ name: 'given_name', type: 'text' })
  givenName: string;

  @Column({ name: 'family_name', type: 'text' })
  familyName: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ name: 'phone_verified', type: 'boolean', default: false })
  phoneVerified: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
