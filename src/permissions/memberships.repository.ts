import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { HeldRoles, INSTANCE_SCOPE } from './permission';

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

  /** Whether any user of the organization holds an instance-wide role. */
  async organizationHasInstanceMembers(tx: Transaction, organizationId: string): Promise<boolean> {
    // Raw: the join reaches the users table, which no entity of this feature maps.
    const rows: unknown[] = await tx.manager.query(
      'SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.scope = $1 AND u.organization_id = $2 LIMIT 1',
      [INSTANCE_SCOPE, organizationId],
    );
    return rows.length > 0;
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
