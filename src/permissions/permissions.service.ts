import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction } from '@app/database';
import { NotFoundError, PermissionDeniedError } from '@app/errors';
import { MembershipsRepository } from './memberships.repository';
import { grants, HeldRoles, Permission } from './permission';

/** A user as far as permissions care: who, and in which organization. */
export interface UserRef {
  readonly id: string;
  readonly organizationId: string;
}

/** What a caller means to do to a user: read it, or change it (its channels, factors or memberships). */
export type UserAccessKind = 'read' | 'change';

/**
 * The one answer for "no such user" and "a user you may not see": the same
 * id and message, so that callers cannot probe other organizations.
 */
export function userNotFound(): NotFoundError {
  return new NotFoundError('AUTHF-USER-404', 'User not found');
}

/** Decides who may do what, from the memberships stored in the database. */
@Injectable()
export class PermissionsService {
  constructor(private readonly memberships: MembershipsRepository) {}

  /**
   * May the caller do `permission` on `target`? In this order: a missing target,
   * or one in an organization where the caller holds no role (and no instance
   * role), is 404; a role without the permission is 403; self is always allowed.
   * `roles` are the caller's, instance-wide and in the target's organization, read
   * in the same transaction (by the statement that found the target, see
   * UsersRepository); they may be undefined where none are needed: no target, self, or the system.
   * Then the privilege order: a `change` to a user who holds an instance-wide role needs an instance-wide
   * role too (`targetInstanceRoles`, read by the same statement), so that no organization-level role can
   * take over the instance's administrators through their channels, factors or memberships.
   */
  authorizeOnUser(
    caller: Caller,
    permission: Permission,
    target: UserRef | undefined,
    roles: HeldRoles | undefined,
    access: { readonly kind: UserAccessKind; readonly targetInstanceRoles?: readonly string[] } = { kind: 'read' },
  ): void {
    if (!target) throw userNotFound();
    if (target.id === caller.userId || caller.system) return;
    if (!roles) throw new Error("authorizeOnUser: the caller's roles are required for another user");
    if (roles.instance.length === 0 && roles.organization.length === 0) throw userNotFound();
    if (!grants([...roles.instance, ...roles.organization], permission)) {
      throw new PermissionDeniedError('AUTHF-PERM-403', `Permission ${permission} is required for this user`);
    }
    if (access.kind === 'change' && roles.instance.length === 0 && (access.targetInstanceRoles?.length ?? 0) > 0) {
      throw new PermissionDeniedError(
        'AUTHF-PRIVILEGE-403',
        'This user holds an instance-wide role: only a caller with an instance-wide role may change their channels, factors or memberships',
      );
    }
  }

  /**
   * May the caller do `permission` in `organizationId`? An organization where the
   * caller holds no role is reported as not found.
   */
  async authorizeInOrganization(tx: Transaction, caller: Caller, permission: Permission, organizationId: string): Promise<void> {
    if (caller.system) return;
    const roles = await this.memberships.rolesOf(tx, caller.userId, organizationId);
    if (roles.instance.length === 0 && roles.organization.length === 0) {
      throw new NotFoundError('AUTHF-ORG-404', 'Organization not found');
    }
    if (!grants([...roles.instance, ...roles.organization], permission)) {
      throw new PermissionDeniedError('AUTHF-PERM-403', `Permission ${permission} is required in this organization`);
    }
  }

  /**
   * The privilege order for what guards an organization's users (its factor policy): where users of the organization
   * hold an instance-wide role, only a caller holding one may change it, or an organization owner could lift the
   * step-up that protects the instance's administrators.
   */
  async authorizeGuardChange(tx: Transaction, caller: Caller, organizationId: string): Promise<void> {
    if (caller.system || (await this.memberships.instanceRolesOf(tx, caller.userId)).length > 0) return;
    if (await this.memberships.organizationHasInstanceMembers(tx, organizationId)) {
      throw new PermissionDeniedError(
        'AUTHF-PRIVILEGE-403',
        'Users of this organization hold instance-wide roles: only a caller with an instance-wide role may change what guards them',
      );
    }
  }

  /** May the caller do `permission` instance-wide (create an organization)? */
  async authorizeInstanceWide(tx: Transaction, caller: Caller, permission: Permission): Promise<void> {
    if (caller.system) return;
    if (!grants(await this.memberships.instanceRolesOf(tx, caller.userId), permission)) {
      throw new PermissionDeniedError('AUTHF-PERM-403', `Permission ${permission} is required instance-wide`);
    }
  }

  /**
   * Adds `roles` to those `userId` holds in `scope` (an organization's id, or INSTANCE_SCOPE), in the caller's
   * transaction. Whoever calls has decided that the grant is allowed (the organizations feature checks `org.member.write`).
   */
  async grantRoles(tx: Transaction, userId: string, scope: string, roles: readonly string[]): Promise<void> {
    await this.memberships.grant(tx, userId, scope, roles);
  }
}
