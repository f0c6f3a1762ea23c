import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { INSTANCE_SCOPE } from './permission';

/** The roles a user holds instance-wide and in one organization, separately. */
export interface HeldRoles {
  readonly instance: readonly string[];
  readonly organization: readonly string[];
}

/** Memberships: which roles a user holds in an organization or instance-wide. */
@Injectable()
export class MembershipsRepository {
  /** The roles `userId` holds instance-wide and in `organizationId`, separately. */
  async rolesOf(tx: Transaction, userId: string, organizationId: string): Promise<HeldRoles> {
    const rows: { scope: string; roles: string[] }[] = await tx.manager.query('SELECT scope, roles FROM memberships WHERE user_id = $1 AND scope IN ($2, $3)', [
      userId,
      INSTANCE_SCOPE,
      organizationId,
    ]);
    return {
      instance: rows.find((r) => r.scope === INSTANCE_SCOPE)?.roles ?? [],
      organization: rows.find((r) => r.scope !== INSTANCE_SCOPE)?.roles ?? [],
    };
  }

  /** The roles `userId` holds instance-wide. */
  async instanceRolesOf(tx: Transaction, userId: string): Promise<string[]> {
    const rows: { roles: string[] }[] = await tx.manager.query('SELECT roles FROM memberships WHERE user_id = $1 AND scope = $2', [userId, INSTANCE_SCOPE]);
    return rows[0]?.roles ?? [];
  }

  /** Grants roles in a scope, adding to those already held there. */
  async grant(tx: Transaction, userId: string, scope: string, roles: readonly string[]): Promise<void> {
    await tx.manager.query(
      `INSERT INTO memberships (user_id, scope, roles, created_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (user_id, scope) DO UPDATE
       SET roles = ARRAY(SELECT DISTINCT r FROM unnest(memberships.roles || EXCLUDED.roles) r ORDER BY r)`,
      [userId, scope, roles],
    );
  }
}
