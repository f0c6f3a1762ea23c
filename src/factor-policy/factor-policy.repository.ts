import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import type { StoredFactorPolicy } from '../common/factor-policy.record';

/** The factor policies organizations have set (the others use the configured defaults). */
@Injectable()
export class FactorPolicyRepository {
  /** The organization's own policy, if it has set one. */
  async find(tx: Transaction, organizationId: string): Promise<StoredFactorPolicy | undefined> {
    const rows: { force_mfa: boolean; factor_change_max_auth_age_seconds: number | null }[] = await tx.manager.query(
      'SELECT force_mfa, factor_change_max_auth_age_seconds FROM organization_factor_policies WHERE organization_id = $1',
      [organizationId],
    );
    const row = rows[0];
    return row && { forceMfa: row.force_mfa, factorChangeMaxAuthAgeSeconds: row.factor_change_max_auth_age_seconds ?? undefined };
  }

  /** Stores the organization's policy, replacing the one it had. */
  async save(tx: Transaction, organizationId: string, policy: StoredFactorPolicy): Promise<void> {
    await tx.manager.query(
      `INSERT INTO organization_factor_policies (organization_id, force_mfa, factor_change_max_auth_age_seconds, changed_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (organization_id) DO UPDATE SET force_mfa = EXCLUDED.force_mfa,
         factor_change_max_auth_age_seconds = EXCLUDED.factor_change_max_auth_age_seconds, changed_at = now()`,
      [organizationId, policy.forceMfa, policy.factorChangeMaxAuthAgeSeconds ?? null],
    );
  }
}
