import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { In } from 'typeorm';
import { MembershipEntity } from './entities/membership.entity';
import { HeldRoles, INSTANCE_SCOPE } from './permission';

/** Memberships: which roles a user holds in an organization or instance-wide. */
@Injectable()
export class MembershipsRepository {
  /** The roles `userId` holds instance-wide and in `organizationId`, separately. */
  async rolesOf(tx: Transaction, userId: string, organizationId: string): Promise<HeldRoles> {
    const memberships = await tx.manager.find(MembershipEntity, {
      select: { scope: true, roles: true },
      where: { userId, scope: In([INSTANCE_SCOPE, organizationId]) },
    });
    return {
      instance: memberships.find((m) => m.scope === INSTANCE_SCOPE)?.roles ?? [],
      organization: memberships.find((m) => m.scope !== INSTANCE_SCOPE)?.roles ?? [],
    };
  }

  /** The roles `userId` holds instance-wide. */
  async instanceRolesOf(tx: Transaction, userId: string): Promise<string[]> {
    const membership = await tx.manager.findOne(MembershipEntity, { select: { roles: true }, where: { userId, scope: INSTANCE_SCOPE } });
    return membership?.roles ?? [];
  }

  /** Whether any user of the organization holds an instance-wide role. */
  async organizationHasInstanceMembers(tx: Transaction, organizationId: string): Promise<boolean> {
    // Joined by table name: the users feature's entity stays in that feature.
    return tx.manager
      .createQueryBuilder(MembershipEntity, 'm')
      .innerJoin('users', 'u', 'u.id = m.userId')
      .where('m.scope = :scope', { scope: INSTANCE_SCOPE })
      .andWhere('u.organizationId = :organizationId', { organizationId })
      .getExists();
  }

  /** Grants roles in a scope, adding to those already held there. */
  async grant(tx: Transaction, userId: string, scope: string, roles: readonly string[]): Promise<void> {
    // Raw: TypeORM's upsert can only overwrite a column with the new row's value; this merges the held roles into it, in one statement.
    await tx.manager.query(
      `INSERT INTO memberships (user_id, scope, roles, created_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (user_id, scope) DO UPDATE
       SET roles = ARRAY(SELECT DISTINCT r FROM unnest(memberships.roles || EXCLUDED.roles) r ORDER BY r)`,
      [userId, scope, roles],
    );
  }
}
