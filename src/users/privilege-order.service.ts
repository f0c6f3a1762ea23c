import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction } from '@app/database';
import { PermissionDeniedError } from '@app/errors';
import { MembershipsRepository } from '../permissions/memberships.repository';
import { UserRef } from '../permissions/permissions.service';

/**
 * The privilege order (spec §4): a caller whose roles are only organization-level cannot act on a user who
 * holds an instance-level role, or an organization owner could lock, delete or strip the MFA of the
 * instance administrator living in their organization. Runs after the permission check, under the user's lock.
 */
@Injectable()
export class PrivilegeOrderService {
  constructor(private readonly memberships: MembershipsRepository) {}

  /** Refuses (403, code 7) when `target` holds an instance-level role and the caller holds none. */
  async check(tx: Transaction, caller: Caller, target: UserRef): Promise<void> {
    if (caller.system || caller.userId === target.id) return;
    if ((await this.memberships.instanceRolesOf(tx, target.id)).length === 0) return;
    if ((await this.memberships.instanceRolesOf(tx, caller.userId)).length > 0) return;
    throw new PermissionDeniedError('AUTHF-PRIV-403', 'This user holds an instance-level role; only an instance-level administrator may change it');
  }
}
