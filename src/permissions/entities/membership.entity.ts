import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** The roles a user holds in one scope. */
@Entity('memberships')
@Check('memberships_roles_check', 'cardinality(roles) > 0')
export class MembershipEntity {
  // By table name: the users feature's entity is not imported here. A user's memberships go with the user.
  @ForeignKey('users', { name: 'memberships_user_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @PrimaryColumn({ type: 'text', comment: "an organization id, or 'instance' for instance-wide roles" })
  scope: string;

  @Column({ type: 'text', array: true })
  roles: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
