/** What a caller may do to a user or an organization. */
export enum Permission {
  UserRead = 'user.read',
  UserWrite = 'user.write',
  UserCredentialWrite = 'user.credential.write',
  /** Delete a user (ZITADEL's name for DeleteUser). */
  UserDelete = 'user.delete',
  /** Search the audit events of an organization, or instance-wide (ZITADEL's name for ListEvents). */
  EventsRead = 'events.read',
  OrgRead = 'org.read',
  OrgCreate = 'org.create',
  /** Grant roles in an organization (beyond the contract's table; organization owners hold it). */
  OrgMemberWrite = 'org.member.write',
  /** Configure an organization's webhooks and read their deliveries (organization owners hold it). */
  OrgWebhookWrite = 'org.webhook.write',
  /** Change an organization's factor policy (organization owners hold it). */
  OrgPolicyWrite = 'org.policy.write',
}

export enum Role {
  IamOwner = 'IAM_OWNER',
  OrgOwner = 'ORG_OWNER',
  OrgUserManager = 'ORG_USER_MANAGER',
  OrgProjectCreator = 'ORG_PROJECT_CREATOR',
}

/** Roles held instance-wide; the others are held in one organization. */
export const INSTANCE_ROLES: ReadonlySet<Role> = new Set([Role.IamOwner]);
export const ORGANIZATION_ROLES: ReadonlySet<Role> = new Set([Role.OrgOwner, Role.OrgUserManager, Role.OrgProjectCreator]);

const ALL_PERMISSIONS = Object.values(Permission);

/** The role → permission table of the contract. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.IamOwner]: ALL_PERMISSIONS,
  [Role.OrgOwner]: [
    Permission.UserRead,
    Permission.UserWrite,
    Permission.UserCredentialWrite,
    Permission.UserDelete,
    Permission.OrgRead,
    Permission.OrgMemberWrite,
    Permission.OrgWebhookWrite,
    Permission.OrgPolicyWrite,
    Permission.EventsRead,
  ],
  [Role.OrgUserManager]: [Permission.UserRead, Permission.UserWrite, Permission.UserCredentialWrite, Permission.UserDelete],
  [Role.OrgProjectCreator]: [],
};

/** Whether any of `roles` grants `permission`; unknown role names grant nothing. */
export function grants(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role as Role]?.includes(permission) ?? false);
}

/** The membership scope of instance-wide roles. */
export const INSTANCE_SCOPE = 'instance';

/** The roles a user holds instance-wide and in one organization, separately. */
export interface HeldRoles {
  readonly instance: readonly string[];
  readonly organization: readonly string[];
}
