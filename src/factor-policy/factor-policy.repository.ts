import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import type { StoredFactorPolicy } from '../common/factor-policy.record';
import { OrganizationFactorPolicyEntity } from './entities/organization-factor-policy.entity';

/** The factor policies organizations have set (the others use the configured defaults). */
@Injectable()
export class FactorPolicyRepository {
  /** The organization's own policy, if it has set one. */
  async find(tx: Transaction, organizationId: string): Promise<StoredFactorPolicy | undefined> {
    const policy = await tx.manager.findOneBy(OrganizationFactorPolicyEntity, { organizationId });
    return policy ? { forceMfa: policy.forceMfa, factorChangeMaxAuthAgeSeconds: policy.factorChangeMaxAuthAgeSeconds ?? undefined } : undefined;
  }

  /** Stores the organization's policy, replacing the one it had (one INSERT ... ON CONFLICT DO UPDATE). */
  async save(tx: Transaction, organizationId: string, policy: StoredFactorPolicy): Promise<void> {
    await tx.manager.upsert(
      OrganizationFactorPolicyEntity,
      { organizationId, forceMfa: policy.forceMfa, factorChangeMaxAuthAgeSeconds: policy.factorChangeMaxAuthAgeSeconds ?? null, changedAt: () => 'now()' },
      ['organizationId'],
    );
  }
}
