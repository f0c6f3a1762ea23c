import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** The factor policy an organization has set (without one, the configured defaults apply). */
@Entity('organization_factor_policies')
@Check('organization_factor_policies_factor_change_max_auth_age_s_check', 'factor_change_max_auth_age_seconds > 0')
export class OrganizationFactorPolicyEntity {
  // By table name: the organizations feature's entity is not imported here.
  @ForeignKey('organizations', { name: 'organization_factor_policies_organization_id_fkey' })
  @PrimaryColumn({ name: 'organization_id', type: 'text' })
  organizationId: string;

  @Column({ name: 'force_mfa', type: 'boolean' })
  forceMfa: boolean;

  @Column({ name: 'factor_change_max_auth_age_seconds', type: 'integer', nullable: true })
  factorChangeMaxAuthAgeSeconds: number | null;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
