import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The tombstone of a deleted user: the id stays taken, and the organization it belonged to is remembered. */
@Entity('deleted_users')
export class DeletedUserEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'organization_id', type: 'text' }) organizationId: string;
  @Column({ name: 'deleted_at', type: 'timestamptz' }) deletedAt: Date;
}
