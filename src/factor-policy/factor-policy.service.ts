import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import type { StoredFactorPolicy } from '../common/factor-policy.record';
import { ObjectDetails } from '../common/object-details.mapper';
import { OrganizationEventWriter } from '../organizations/organization-event.writer';
import { OrganizationsService } from '../organizations/organizations.service';
import { Permission } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { FactorPolicy } from './factor-policy';
import { FactorPolicyRepository } from './factor-policy.repository';

export const FactorPolicyEventType = { Changed: 'org.factor.policy.changed' } as const;

/** Organizations' factor policies: stored per organization, else the configured defaults. */
@Injectable()
export class FactorPolicyService {
  private readonly defaults: FactorPolicy;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly policies: FactorPolicyRepository,
    private readonly organizations: OrganizationsService,
    private readonly permissions: PermissionsService,
    private readonly writer: OrganizationEventWriter,
  ) {
    this.defaults = { ...config.factorPolicyDefaults, isDefault: true };
  }

  /** The policy in force for the organization, inside a command's transaction. */
  async effective(tx: Transaction, organizationId: string): Promise<FactorPolicy> {
    return this.inForce(await this.policies.find(tx, organizationId));
  }

  /** The policy in force given the organization's own, as stored (undefined: it has none, the defaults apply). */
  inForce(stored: StoredFactorPolicy | undefined): FactorPolicy {
    return stored ? { ...stored, isDefault: false } : this.defaults;
  }

  /** The organization's policy, for a caller with `org.read` there. */
  get(caller: Caller, organizationId: string): Promise<FactorPolicy> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.OrgRead, organizationId);
      await this.organizations.assertExists(tx, organizationId);
      return this.effective(tx, organizationId);
    });
  }

  /** Replaces the organization's policy (needs `org.policy.write` there); recorded on the organization's stream. */
  set(
    caller: Caller,
    organizationId: string,
    policy: StoredFactorPolicy,
    options: TransactionOptions = {},
  ): Promise<{ policy: FactorPolicy; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.OrgPolicyWrite, organizationId);
      await this.organizations.lockExisting(tx, organizationId);
      await this.permissions.authorizeGuardChange(tx, caller, organizationId);
      await this.policies.save(tx, organizationId, policy);
      const details = await this.writer.write(tx, organizationId, caller, [
        {
          type: FactorPolicyEventType.Changed,
          payload: { forceMfa: policy.forceMfa, factorChangeMaxAuthAgeSeconds: policy.factorChangeMaxAuthAgeSeconds ?? null },
        },
      ]);
      return { policy: { ...policy, isDefault: false }, details };
    }, options.transaction);
  }
}
