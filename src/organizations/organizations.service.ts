import { Injectable } from '@nestjs/common';
import { Caller } from '@app/auth';
import { Transaction, TransactionOptions, TransactionRunner } from '@app/database';
import { InvalidArgumentError, NotFoundError } from '@app/errors';
import { IdGenerator } from '@app/ids';
import { ObjectDetails } from '../common/object-details.mapper';
import { INSTANCE_SCOPE, Permission, Role } from '../permissions/permission';
import { PermissionsService } from '../permissions/permissions.service';
import { UserAccessService } from '../users/user-access.service';
import { OrganizationEventWriter } from './organization-event.writer';
import { OrganizationsRepository } from './organizations.repository';

export const OrgEventType = { Added: 'org.added', MemberAdded: 'org.member.added' } as const;

export interface OrganizationMember {
  readonly userId: string;
  readonly roles?: readonly string[];
}

/** Organizations and the roles users hold in them. */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly organizations: OrganizationsRepository,
    private readonly permissions: PermissionsService,
    private readonly userAccess: UserAccessService,
    private readonly writer: OrganizationEventWriter,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates an organization (needs `org.create` instance-wide), granting its admins their roles. */
  create(
    caller: Caller,
    name: string,
    admins: readonly OrganizationMember[] = [],
    options: TransactionOptions = {},
  ): Promise<{ organizationId: string; details: ObjectDetails }> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInstanceWide(tx, caller, Permission.OrgCreate);
      const organizationId = this.ids.next();
      await this.organizations.insert(tx, organizationId, name);
      for (const admin of admins) {
        await this.userAccess.readForQuery(tx, caller, Permission.UserRead, admin.userId);
        await this.permissions.grantRoles(tx, admin.userId, organizationId, rolesOf(admin));
      }
      const details = await this.writer.write(tx, organizationId, caller, [
        { type: OrgEventType.Added, payload: { name } },
        ...admins.map((admin) => ({ type: OrgEventType.MemberAdded, payload: { userId: admin.userId, roles: rolesOf(admin) } })),
      ]);
      return { organizationId, details };
    }, options.transaction);
  }

  /** Grants roles in an organization (needs `org.member.write` there). */
  addMember(caller: Caller, organizationId: string, member: OrganizationMember, options: TransactionOptions = {}): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      await this.permissions.authorizeInOrganization(tx, caller, Permission.OrgMemberWrite, organizationId);
      await this.lockExisting(tx, organizationId);
      // A membership is a change to the member: the privilege order applies.
      await this.userAccess.readForChange(tx, caller, Permission.UserRead, member.userId);
      await this.permissions.grantRoles(tx, member.userId, organizationId, rolesOf(member));
      return this.writer.write(tx, organizationId, caller, [{ type: OrgEventType.MemberAdded, payload: { userId: member.userId, roles: rolesOf(member) } }]);
    }, options.transaction);
  }

  /** Refuses an organization that does not exist (404, `AUTHF-ORG-404`), in the caller's transaction. */
  async assertExists(tx: Transaction, organizationId: string): Promise<void> {
    if (!(await this.organizations.exists(tx, organizationId))) throw organizationNotFound();
  }

  /** Locks the organization until the caller's transaction ends (its commands then run one after another); 404 when it does not exist. */
  async lockExisting(tx: Transaction, organizationId: string): Promise<void> {
    if (!(await this.organizations.lock(tx, organizationId))) throw organizationNotFound();
  }

  /** The id of the oldest organization with this name (the bootstrap's default organization). */
  findIdByName(tx: Transaction, name: string): Promise<string | undefined> {
    return this.organizations.findIdByName(tx, name);
  }

  /** Grants instance-wide roles; only the service itself (bootstrap) does this. */
  async grantInstanceRoles(tx: Transaction, userId: string, roles: readonly Role[]): Promise<void> {
    await this.permissions.grantRoles(tx, userId, INSTANCE_SCOPE, roles);
  }
}

/** The roles to grant: ORG_OWNER when none are named; an empty list names none and is refused, never read as ORG_OWNER. */
function rolesOf(member: OrganizationMember): string[] {
  if (member.roles === undefined) return [Role.OrgOwner];
  if (member.roles.length === 0) throw new InvalidArgumentError('AUTHF-ORG-ROLES', 'roles must name at least one role; omit it to grant ORG_OWNER');
  return [...new Set(member.roles)];
}

function organizationNotFound(): NotFoundError {
  return new NotFoundError('AUTHF-ORG-404', 'Organization not found');
}
