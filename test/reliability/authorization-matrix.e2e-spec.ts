import { EventEntity } from '@app/eventstore';
import { createOrganization, createUser, giveVerifiedChannel, grantRoles, TestUser } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/*
 * Every route × every kind of caller, the expected answer of each cell computed
 * from two tables of the contract (spec §4): the permission each route needs,
 * and the permissions each role grants. Written out here, not imported from
 * src/permissions, so that a wrong table in the code fails this test.
 */

type Permission = 'user.read' | 'user.write' | 'user.credential.write' | 'user.delete' | 'org.read' | 'org.create' | 'org.member.write' | 'events.read';
type Role = 'IAM_OWNER' | 'ORG_OWNER' | 'ORG_USER_MANAGER' | 'ORG_PROJECT_CREATOR';

const ROLE_TABLE: Record<Role, readonly Permission[]> = {
  IAM_OWNER: ['user.read', 'user.write', 'user.credential.write', 'user.delete', 'org.read', 'org.create', 'org.member.write', 'events.read'],
  // Beyond the contract's table: granting roles in the organization and reading its audit events are the
  // owner's; user.delete is ZITADEL's, held by its ORG_OWNER and ORG_USER_MANAGER.
  ORG_OWNER: ['user.read', 'user.write', 'user.credential.write', 'user.delete', 'org.read', 'org.member.write', 'events.read'],
  ORG_USER_MANAGER: ['user.read', 'user.write', 'user.credential.write', 'user.delete'],
  ORG_PROJECT_CREATOR: [],
};

/** Who acts: the roles they hold, where ('A' is the target's organization, 'B' another one). */
type CallerName = 'anonymous' | 'self' | 'sameOrgNoRole' | 'projectCreatorA' | 'userManagerA' | 'ownerOfOtherOrg' | 'iamOwner' | 'nonexistent';
const CALLERS: Record<CallerName, { roles: { scope: 'A' | 'B' | 'instance'; role: Role }[]; description: string }> = {
  anonymous: { roles: [], description: 'no token' },
  self: { roles: [], description: 'the target user themselves' },
  sameOrgNoRole: { roles: [], description: 'a user of the same organization without a role' },
  projectCreatorA: { roles: [{ scope: 'A', role: 'ORG_PROJECT_CREATOR' }], description: 'ORG_PROJECT_CREATOR of the organization' },
  userManagerA: { roles: [{ scope: 'A', role: 'ORG_USER_MANAGER' }], description: 'ORG_USER_MANAGER of the organization' },
  ownerOfOtherOrg: { roles: [{ scope: 'B', role: 'ORG_OWNER' }], description: 'ORG_OWNER of another organization' },
  iamOwner: { roles: [{ scope: 'instance', role: 'IAM_OWNER' }], description: 'IAM_OWNER' },
  // For routes on a user or an organization: a manager of A acting on a target that does not exist. For
  // the v1 routes (always "me"): a validly signed token whose subject does not exist.
  nonexistent: { roles: [{ scope: 'A', role: 'ORG_USER_MANAGER' }], description: 'a target (or, on v1, a subject) that does not exist' },
};

/** What a route acts on: the token's own user (v1), a user, an organization, or the instance. */
type Scope = 'me' | 'user' | 'organization' | 'instance';

interface RouteSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly scope: Scope;
  readonly permission?: Permission;
  /** The path for a target id (a user id, an organization id; ignored for 'me' and 'instance'). */
  readonly path: (target: string) => string;
  readonly body?: (c: Context) => unknown;
  /** Whether an allowed call writes events to the target user. */
  readonly writesUser: boolean;
  /** Puts the user the call acts on in a state where it can succeed (as the administrator). */
  readonly prepare?: (c: Context, userId: string) => Promise<void>;
  /** Puts the target back as the other routes expect it (active), after the cell. */
  readonly cleanup?: (c: Context, userId: string) => Promise<void>;
  /** What the target user gets acting on themselves, where that is not simply allowed. */
  readonly self?: Expected;
  /** Acts on a user of its own, created for the cell (deletion). */
  readonly freshTarget?: boolean;
}

interface Context {
  readonly t: TestApp;
  readonly orgA: string;
  readonly memberId: string;
  next(): number;
}

async function admin(c: Context, method: string, path: string, body?: unknown, ok: number[] = [200]): Promise<void> {
  const response = await c.t.request(method, path, { token: c.t.adminToken, body });
  if (!ok.includes(response.status)) throw new Error(`prepare ${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
}
const verifiedPhone = (c: Context, id: string) => giveVerifiedChannel(c.t, id, 'phone', `+4175${String(1_000_000 + c.next()).slice(-7)}`);
const verifiedEmail = (c: Context, id: string) => giveVerifiedChannel(c.t, id, 'email', `matrix-${c.next()}@example.com`);
const factor = (type: 'otp_sms' | 'otp_email', present: boolean) => async (c: Context, id: string) => {
  await (type === 'otp_sms' ? verifiedPhone(c, id) : verifiedEmail(c, id));
  if (present) await admin(c, 'POST', `/v2/users/${id}/${type}`, {}, [200, 409]);
  else await admin(c, 'DELETE', `/v2/users/${id}/${type}`, undefined, [200, 404]);
};

const lifecycle = (action: string) => (c: Context, id: string) => admin(c, 'POST', `/v2/users/${id}/${action}`, undefined, [200, 400]);
const active = async (c: Context, id: string) => {
  await lifecycle('reactivate')(c, id);
  await lifecycle('unlock')(c, id);
};
const inState = (action: 'deactivate' | 'lock') => async (c: Context, id: string) => {
  await active(c, id);
  await lifecycle(action)(c, id);
};
const SELF_REFUSED: Expected = { status: 403, code: 7 };
// Deactivated or locked, the target's own token is refused before anything else.
const SELF_UNAUTHENTICATED: Expected = { status: 401, code: 16 };

const V1 = '/auth/v1/users/me/auth_factors';
const ROUTES: readonly RouteSpec[] = [
  { name: 'POST v1 _search', method: 'POST', scope: 'me', path: () => `${V1}/_search`, body: () => ({}), writesUser: false },
  ...(['otp_sms', 'otp_email'] as const).flatMap((type): RouteSpec[] => [
    { name: `POST v1 ${type}`, method: 'POST', scope: 'me', path: () => `${V1}/${type}`, body: () => ({}), writesUser: true, prepare: factor(type, false) },
    { name: `DELETE v1 ${type}`, method: 'DELETE', scope: 'me', path: () => `${V1}/${type}`, writesUser: true, prepare: factor(type, true) },
    {
      name: `POST v2 ${type}`,
      method: 'POST',
      scope: 'user',
      permission: 'user.credential.write',
      path: (id) => `/v2/users/${id}/${type}`,
      body: () => ({}),
      writesUser: true,
      prepare: factor(type, false),
    },
    {
      name: `DELETE v2 ${type}`,
      method: 'DELETE',
      scope: 'user',
      permission: 'user.write',
      path: (id) => `/v2/users/${id}/${type}`,
      writesUser: true,
      prepare: factor(type, true),
    },
  ]),
  { name: 'GET v2 user', method: 'GET', scope: 'user', permission: 'user.read', path: (id) => `/v2/users/${id}`, writesUser: false },
  {
    name: 'POST v2 phone',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/phone`,
    body: (c) => ({ phone: `+4174${String(1_000_000 + c.next()).slice(-7)}` }),
    writesUser: true,
  },
  {
    name: 'DELETE v2 phone',
    method: 'DELETE',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/phone`,
    writesUser: true,
    prepare: verifiedPhone,
  },
  {
    name: 'POST v2 email',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/email`,
    body: (c) => ({ email: `matrix-set-${c.next()}@example.com` }),
    writesUser: true,
  },
  {
    name: 'GET v2 authentication_methods',
    method: 'GET',
    scope: 'user',
    permission: 'user.read',
    path: (id) => `/v2/users/${id}/authentication_methods`,
    writesUser: false,
  },
  {
    name: 'POST v2 authentication_factors/_search',
    method: 'POST',
    scope: 'user',
    permission: 'user.read',
    path: (id) => `/v2/users/${id}/authentication_factors/_search`,
    body: () => ({}),
    writesUser: false,
  },
  {
    name: 'POST authf mfa/_reset',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/authf/v1/users/${id}/mfa/_reset`,
    writesUser: true,
    prepare: factor('otp_sms', true),
    self: SELF_REFUSED,
  },
  {
    name: 'POST v2 deactivate',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/deactivate`,
    writesUser: true,
    prepare: active,
    cleanup: active,
    self: SELF_REFUSED,
  },
  {
    name: 'POST v2 reactivate',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/reactivate`,
    writesUser: true,
    prepare: inState('deactivate'),
    cleanup: active,
    self: SELF_UNAUTHENTICATED,
  },
  {
    name: 'POST v2 lock',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/lock`,
    writesUser: true,
    prepare: active,
    cleanup: active,
    self: SELF_REFUSED,
  },
  {
    name: 'POST v2 unlock',
    method: 'POST',
    scope: 'user',
    permission: 'user.write',
    path: (id) => `/v2/users/${id}/unlock`,
    writesUser: true,
    prepare: inState('lock'),
    cleanup: active,
    self: SELF_UNAUTHENTICATED,
  },
  { name: 'DELETE v2 user', method: 'DELETE', scope: 'user', permission: 'user.delete', path: (id) => `/v2/users/${id}`, writesUser: true, freshTarget: true },
  {
    name: 'POST authf events/_search',
    method: 'POST',
    scope: 'organization',
    permission: 'events.read',
    path: () => '/authf/v1/events/_search',
    body: () => ({ organizationId: organizationOfCell(), limit: 1 }),
    writesUser: false,
  },
  {
    name: 'POST v2 users/human',
    method: 'POST',
    scope: 'organization',
    permission: 'user.write',
    path: () => '/v2/users/human',
    body: (c) => ({
      username: `matrix-${c.next()}-${Date.now()}`,
      organization: { orgId: organizationOfCell() },
      profile: { givenName: 'M', familyName: 'X' },
    }),
    writesUser: false,
  },
  {
    name: 'POST v2 organizations/{id}/members',
    method: 'POST',
    scope: 'organization',
    permission: 'org.member.write',
    path: (orgId) => `/v2/organizations/${orgId}/members`,
    body: (c) => ({ userId: c.memberId, roles: ['ORG_PROJECT_CREATOR'] }),
    writesUser: false,
  },
  {
    name: 'POST v2 organizations',
    method: 'POST',
    scope: 'instance',
    permission: 'org.create',
    path: () => '/v2/organizations',
    body: (c) => ({ name: `matrix-org-${c.next()}` }),
    writesUser: false,
  },
];

// POST /v2/users/human names its organization in the body: the cell's target is set here before the body is built.
let bodyOrganization = '';
const organizationOfCell = (): string => bodyOrganization;

interface Expected {
  readonly status: number;
  readonly code?: number;
  /** A refusal that must not tell "exists, but not yours" from "does not exist": byte-identical to the nonexistent target's body. */
  readonly hidden?: boolean;
}

/** The expected answer of one cell, from the two tables and the order of checks (spec §4). */
function expectedOf(route: RouteSpec, caller: CallerName): Expected {
  if (caller === 'anonymous') return { status: 401, code: 16 };
  if (route.scope === 'me') return caller === 'nonexistent' ? { status: 401, code: 16 } : { status: 200 };
  if (caller === 'nonexistent') return route.scope === 'instance' ? { status: 403, code: 7 } : { status: 404, code: 5, hidden: true };
  const roles = CALLERS[caller].roles;
  const grants = (scopes: string[]) => roles.some((r) => scopes.includes(r.scope) && ROLE_TABLE[r.role].includes(route.permission!));
  if (route.scope === 'instance') return grants(['instance']) ? { status: 200 } : { status: 403, code: 7 };
  if (route.scope === 'user' && caller === 'self') return route.self ?? { status: 200 };
  const rolesThere = roles.filter((r) => r.scope === 'A' || r.scope === 'instance');
  if (rolesThere.length === 0) return { status: 404, code: 5, hidden: true };
  return grants(['A', 'instance']) ? { status: 200 } : { status: 403, code: 7 };
}

const CELLS = ROUTES.flatMap((route) =>
  (Object.keys(CALLERS) as CallerName[]).flatMap((caller) => {
    if (route.scope === 'instance' && caller === 'self') return []; // no target user: 'self' is just a user without a role
    const expected = expectedOf(route, caller);
    return [{ route, caller, expected, label: `${route.name} × ${caller} → ${expected.status}${expected.code ? ` code ${expected.code}` : ''}` }];
  }),
);

describe('authorization matrix: every route × every kind of caller', () => {
  let t: TestApp;
  let context: Context;
  let target: TestUser;
  let users: Record<'sameOrgNoRole' | 'projectCreatorA' | 'userManagerA' | 'ownerOfOtherOrg', TestUser>;
  let orgA: string;
  const missingUserId = '999999999999999990';
  const missingOrgId = '999999999999999991';
  const tally: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp();
    orgA = await createOrganization(t, 'matrix-A');
    const orgB = await createOrganization(t, 'matrix-B');
    let counter = 0;
    const [self, sameOrgNoRole, projectCreatorA, userManagerA, ownerOfOtherOrg, member] = await Promise.all([
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgB),
      createUser(t, orgA),
    ]);
    await grantRoles(t, orgA, projectCreatorA.userId, ['ORG_PROJECT_CREATOR']);
    await grantRoles(t, orgA, userManagerA.userId, ['ORG_USER_MANAGER']);
    await grantRoles(t, orgB, ownerOfOtherOrg.userId, ['ORG_OWNER']);
    target = self;
    users = { sameOrgNoRole, projectCreatorA, userManagerA, ownerOfOtherOrg };
    context = { t, orgA, memberId: member.userId, next: () => ++counter };
  });
  afterAll(async () => {
    console.log(
      `authorization matrix: ${CELLS.length} cells over ${ROUTES.length} routes and ${Object.keys(CALLERS).length} callers, by status ${JSON.stringify(tally)}`,
    );
    await t.close();
  });

  const tokenOf = (caller: CallerName): string | undefined => {
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'self':
        return target.token;
      case 'iamOwner':
        return t.adminToken;
      case 'nonexistent':
        return users.userManagerA.token;
      default:
        return users[caller].token;
    }
  };

  /** The user a v1 call acts on (the caller), or the target of a v2 call. */
  const actedOn = (route: RouteSpec, caller: CallerName): string | undefined => {
    if (route.scope === 'me')
      return caller === 'anonymous'
        ? undefined
        : caller === 'self'
          ? target.userId
          : caller === 'iamOwner'
            ? t.bootstrapped.adminId
            : users[caller as keyof typeof users]?.userId;
    return route.scope === 'user' && caller !== 'nonexistent' ? target.userId : undefined;
  };

  async function send(route: RouteSpec, caller: CallerName, targetExists: boolean): Promise<{ status: number; text: string }> {
    let token = tokenOf(caller);
    let pathTarget = '';
    if (route.scope === 'user') pathTarget = targetExists ? target.userId : missingUserId;
    if (route.scope === 'organization') pathTarget = targetExists ? orgA : missingOrgId;
    bodyOrganization = pathTarget;
    if (route.scope === 'me' && caller === 'nonexistent') token = t.token(missingUserId);
    const body = route.body?.(context);
    const response = await fetch(`${t.url}${route.path(pathTarget)}`, {
      method: route.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  const eventCount = async (userId: string | undefined): Promise<number> =>
    userId ? t.dataSource.getRepository(EventEntity).countBy({ aggregateId: userId }) : 0;

  it.each(CELLS.map((cell) => [cell.label, cell] as const))('%s', async (_label, { route, caller, expected }) => {
    const shared = target;
    if (route.freshTarget) target = await createUser(t, orgA);
    try {
      await check(route, caller, expected);
    } finally {
      if (route.cleanup) await route.cleanup(context, target.userId);
      target = shared;
    }
  });

  async function check(route: RouteSpec, caller: CallerName, expected: Expected): Promise<void> {
    const acted = actedOn(route, caller);
    if (acted && route.prepare) await route.prepare(context, acted);
    const before = await eventCount(acted);

    const response = await send(route, caller, caller !== 'nonexistent');
    tally[response.status] = (tally[response.status] ?? 0) + 1;

    expect({ status: response.status, code: JSON.parse(response.text).code }).toEqual({ status: expected.status, code: expected.code });
    if (route.writesUser && acted) {
      const after = await eventCount(acted);
      if (expected.status === 200) expect(after).toBeGreaterThan(before);
      else expect(after).toBe(before);
    }
    if (expected.hidden) {
      // "Exists but not yours" and "does not exist" must be indistinguishable, byte for byte.
      const reference = await send(route, caller === 'nonexistent' ? 'ownerOfOtherOrg' : caller, caller === 'nonexistent');
      const [hiddenText, missingText] = caller === 'nonexistent' ? [reference.text, response.text] : [response.text, reference.text];
      expect(hiddenText).toBe(missingText);
    }
  }
});
