import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { createDataSource, runMigrations } from '@app/database';
import { Client } from 'pg';
import { AuthFactorEntity } from '../src/auth-factors/entities/auth-factor.entity';
import { MIGRATIONS } from '../src/migrations';
import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { MembershipEntity } from '../src/permissions/entities/membership.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { createOrganization, createUser, eventsOf, grantRoles, storedEvents, TestUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-postgres';

/** gRPC codes the contract maps to HTTP (spec §3). */
const Code = { InvalidArgument: 3, NotFound: 5, AlreadyExists: 6, PermissionDenied: 7, Unauthenticated: 16 } as const;

/** RFC 3339 UTC with milliseconds, as in the seeds' details. */
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let unique = 0;
const freshPhone = (): string => `+41760${String(++unique).padStart(6, '0')}`;
const freshEmail = (): string => `perm-${++unique}-${Date.now()}@example.com`;
const freshUsername = (): string => `perm-user-${++unique}-${Date.now()}`;

/** A raw HTTP exchange, for byte-level comparison of bodies (TestApp.request parses them). */
async function rawRequest(t: TestApp, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${t.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

/** The body of POST /v2/users/human in `organizationId`; `overrides` replaces fields. */
function humanUserBody(organizationId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    username: freshUsername(),
    organization: { orgId: organizationId },
    profile: { givenName: 'Perm', familyName: 'Tester' },
    ...overrides,
  };
}

// ---------------------------------------------------------------------------
// The permission matrix: one table, tests generated from it for every route.
// ---------------------------------------------------------------------------

type Caller = 'anonymous' | 'iamOwner' | 'ownerA' | 'userManagerA' | 'projectCreatorA' | 'plainA' | 'otherPlainA' | 'plainB';
type Target = 'plainA' | 'plainB' | 'missing';

interface Expectation {
  readonly status: 200 | 401 | 403 | 404;
  /** The gRPC code of the error body (absent for 200). */
  readonly code?: number;
  /** The error body must be byte-identical to the one for a user id that does not exist. */
  readonly sameBodyAsMissingUser?: boolean;
}

interface MatrixRow {
  readonly caller: Caller;
  readonly target: Target;
  readonly expected: Expectation;
  readonly why: string;
}

const allowed: Expectation = { status: 200 };
const notFound: Expectation = { status: 404, code: Code.NotFound };
const hidden: Expectation = { ...notFound, sameBodyAsMissingUser: true };

const MATRIX: readonly MatrixRow[] = [
  { caller: 'plainA', target: 'plainA', expected: allowed, why: 'a user may always act on themselves' },
  { caller: 'plainB', target: 'plainB', expected: allowed, why: 'a user may always act on themselves, in any organization' },
  { caller: 'ownerA', target: 'plainA', expected: allowed, why: 'ORG_OWNER holds the user permissions in its organization' },
  { caller: 'userManagerA', target: 'plainA', expected: allowed, why: 'ORG_USER_MANAGER holds the user permissions in its organization' },
  {
    caller: 'projectCreatorA',
    target: 'plainA',
    expected: { status: 403, code: Code.PermissionDenied },
    why: 'ORG_PROJECT_CREATOR has a role in the organization but none of the user permissions',
  },
  { caller: 'otherPlainA', target: 'plainA', expected: notFound, why: 'a user without any role may not see other users, even of their own organization' },
  {
    caller: 'ownerA',
    target: 'plainB',
    expected: hidden,
    why: 'a user of an organization where the caller holds no role is indistinguishable from a missing one',
  },
  { caller: 'userManagerA', target: 'plainB', expected: hidden, why: 'an organization role grants nothing in another organization' },
  { caller: 'plainA', target: 'plainB', expected: hidden, why: 'a plain user cannot probe other organizations' },
  { caller: 'ownerA', target: 'missing', expected: notFound, why: 'a user id that does not exist is not found' },
  { caller: 'iamOwner', target: 'plainA', expected: allowed, why: 'IAM_OWNER holds every permission in every organization' },
  { caller: 'iamOwner', target: 'plainB', expected: allowed, why: 'IAM_OWNER holds every permission in every organization' },
  { caller: 'iamOwner', target: 'missing', expected: notFound, why: 'even IAM_OWNER gets 404 for a user id that does not exist' },
  { caller: 'anonymous', target: 'plainA', expected: { status: 401, code: Code.Unauthenticated }, why: 'every v2 route needs a bearer token' },
  { caller: 'anonymous', target: 'missing', expected: { status: 401, code: Code.Unauthenticated }, why: 'authentication is checked before the target' },
];

interface UserRoute {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: (userId: string) => string;
  /** A request body that is a real change each time it is built. */
  readonly body?: () => unknown;
  /** Whether an allowed call appends events (and a refused one must not). */
  readonly writes: boolean;
  /** Puts an existing target in the state the route needs, as the administrator. */
  readonly prepare?: (t: TestApp, userId: string) => Promise<void>;
}

async function givePhone(t: TestApp, userId: string): Promise<void> {
  const response = await t.request('POST', `/v2/users/${userId}/phone`, { token: t.adminToken, body: { phone: freshPhone(), isVerified: true } });
  if (response.status !== 200) throw new Error(`setting a phone: ${response.status} ${JSON.stringify(response.body)}`);
}

const ROUTES: readonly UserRoute[] = [
  { name: 'GET /v2/users/{id}', method: 'GET', path: (id) => `/v2/users/${id}`, writes: false },
  {
    name: 'POST /v2/users/{id}/phone',
    method: 'POST',
    path: (id) => `/v2/users/${id}/phone`,
    body: () => ({ phone: freshPhone() }),
    writes: true,
  },
  {
    name: 'POST /v2/users/{id}/email',
    method: 'POST',
    path: (id) => `/v2/users/${id}/email`,
    body: () => ({ email: freshEmail() }),
    writes: true,
  },
  { name: 'DELETE /v2/users/{id}/phone', method: 'DELETE', path: (id) => `/v2/users/${id}/phone`, writes: true, prepare: givePhone },
];

describe('users: permissions, validation, reads, phone removal, bootstrap', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let users: Record<Exclude<Caller, 'anonymous' | 'iamOwner'>, TestUser>;
  /** An id no user has. */
  const missingUserId = '999999999999999999';

  beforeAll(async () => {
    t = await startTestApp();
    orgA = await createOrganization(t, 'perm-org-A');
    orgB = await createOrganization(t, 'perm-org-B');
    const [ownerA, userManagerA, projectCreatorA, plainA, otherPlainA, plainB] = await Promise.all([
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgA),
      createUser(t, orgB),
    ]);
    await grantRoles(t, orgA, ownerA.userId, ['ORG_OWNER']);
    await grantRoles(t, orgA, userManagerA.userId, ['ORG_USER_MANAGER']);
    await grantRoles(t, orgA, projectCreatorA.userId, ['ORG_PROJECT_CREATOR']);
    users = { ownerA, userManagerA, projectCreatorA, plainA, otherPlainA, plainB };
  });
  afterAll(() => t.close());

  const tokenOf = (caller: Caller): string | undefined => (caller === 'anonymous' ? undefined : caller === 'iamOwner' ? t.adminToken : users[caller].token);
  const idOf = (target: Target): string => (target === 'missing' ? missingUserId : users[target].userId);

  it('refuses roles: [] with 400 instead of granting ORG_OWNER, for a member and for an organization’s admin', async () => {
    const member = await createUser(t, orgB);
    const granted = await t.request('POST', `/v2/organizations/${orgB}/members`, { token: t.adminToken, body: { userId: member.userId, roles: [] } });
    expect({ status: granted.status, code: granted.body.code, id: granted.body.details[0].id }).toEqual({ status: 400, code: 3, id: 'AUTHF-REQ-400' });
    const created = await t.request('POST', '/v2/organizations', {
      token: t.adminToken,
      body: { name: 'empty-roles', admins: [{ userId: member.userId, roles: [] }] },
    });
    expect({ status: created.status, code: created.body.code }).toEqual({ status: 400, code: 3 });
    expect(await t.dataSource.getRepository(MembershipEntity).findBy({ userId: member.userId })).toEqual([]);
  });

  describe.each(ROUTES)('$name permission matrix', (route) => {
    it.each(MATRIX)('$caller on $target → $expected.status: $why', async ({ caller, target, expected }) => {
      const targetId = idOf(target);
      if (target !== 'missing') await route.prepare?.(t, targetId);
      const eventsBefore = (await eventsOf(t, targetId)).length;

      const body = route.body?.();
      const response = await rawRequest(t, route.method, route.path(targetId), tokenOf(caller), body);

      expect(response.status).toBe(expected.status);
      const parsed = JSON.parse(response.text);
      if (expected.code === undefined) {
        expect(parsed.code).toBeUndefined();
        if (target !== 'missing') expect(parsed.details.resourceOwner).toBe(users[target].organizationId);
      } else {
        expect(parsed.code).toBe(expected.code);
      }
      if (expected.sameBodyAsMissingUser) {
        const reference = await rawRequest(t, route.method, route.path(missingUserId), tokenOf(caller), route.body?.());
        expect(reference.status).toBe(404);
        expect(response.text).toBe(reference.text);
      }
      if (route.writes && target !== 'missing') {
        const eventsAfter = (await eventsOf(t, targetId)).length;
        if (expected.status === 200) expect(eventsAfter).toBeGreaterThan(eventsBefore);
        else expect(eventsAfter).toBe(eventsBefore);
      }
    });
  });

  describe('creating users and organizations', () => {
    it.each([
      { field: 'email', overrides: { email: { email: 'not-an-email', isVerified: true } } },
      { field: 'phone', overrides: { phone: { phone: '0791234567', isVerified: true } } },
      { field: 'username', overrides: { username: '' } },
      { field: 'username', overrides: { username: 'u'.repeat(201) } },
    ])('rejects an invalid $field with 400 code 3 naming the field ($overrides)', async ({ field, overrides }) => {
      const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, overrides) });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(Code.InvalidArgument);
      expect(response.body.message).toContain(field);
    });

    it('accepts a username of exactly 200 characters', async () => {
      const response = await t.request('POST', '/v2/users/human', {
        token: t.adminToken,
        body: humanUserBody(orgA, { username: `${freshUsername()}-`.padEnd(200, 'x') }),
      });
      expect(response.status).toBe(200);
    });

    it('rejects a username already taken in the same organization with 409 code 6', async () => {
      const username = freshUsername();
      expect((await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, { username }) })).status).toBe(200);
      const again = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, { username }) });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe(Code.AlreadyExists);
    });

    it('accepts the same username in another organization', async () => {
      const username = freshUsername();
      const inA = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, { username }) });
      const inB = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgB, { username }) });
      expect(inA.status).toBe(200);
      expect(inB.status).toBe(200);
      expect(inB.body.userId).not.toBe(inA.body.userId);
      expect(inB.body.details.resourceOwner).toBe(orgB);
    });

    it('rejects an explicit userId that is already taken with 409 code 6, leaving the existing user untouched', async () => {
      const existing = users.plainB.userId;
      const before = await eventsOf(t, existing);
      const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, { userId: existing }) });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe(Code.AlreadyExists);
      expect(await eventsOf(t, existing)).toEqual(before);
    });

    it('uses an explicit userId that is free', async () => {
      const userId = `explicit-${Date.now()}-${++unique}`;
      const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody(orgA, { userId }) });
      expect(response.status).toBe(200);
      expect(response.body.userId).toBe(userId);
    });

    it('rejects an unknown organization with 404 code 5', async () => {
      const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUserBody('424242424242424242') });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe(Code.NotFound);
    });

    it('lets an ORG_OWNER create users in their own organization only', async () => {
      const own = await t.request('POST', '/v2/users/human', { token: users.ownerA.token, body: humanUserBody(orgA) });
      expect(own.status).toBe(200);
      const other = await t.request('POST', '/v2/users/human', { token: users.ownerA.token, body: humanUserBody(orgB) });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe(Code.NotFound);
    });

    it('needs IAM_OWNER to create an organization: ORG_OWNER gets 403 code 7, IAM_OWNER 200', async () => {
      const name = `perm-org-${++unique}`;
      const denied = await t.request('POST', '/v2/organizations', { token: users.ownerA.token, body: { name } });
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe(Code.PermissionDenied);
      expect(await t.dataSource.getRepository(OrganizationEntity).countBy({ name })).toBe(0);
      const created = await t.request('POST', '/v2/organizations', { token: t.adminToken, body: { name } });
      expect(created.status).toBe(200);
      expect(created.body.organizationId).toMatch(/^\d+$/);
    });
  });

  describe('GET /v2/users/{id}', () => {
    it('returns the details and the human user with profile, email and phone and their verification', async () => {
      const phone = freshPhone();
      const email = freshEmail();
      const username = freshUsername();
      const created = await t.request('POST', '/v2/users/human', {
        token: t.adminToken,
        body: humanUserBody(orgA, {
          username,
          profile: { givenName: 'Minnie', familyName: 'Mouse' },
          email: { email, isVerified: true },
          phone: { phone, isVerified: false },
        }),
      });
      expect(created.status).toBe(200);
      const userId: string = created.body.userId;
      const events = await eventsOf(t, userId);

      const response = await t.request('GET', `/v2/users/${userId}`, { token: t.adminToken });

      expect(response.status).toBe(200);
      const { details, user } = response.body;
      expect(typeof details.sequence).toBe('string');
      expect(details.sequence).toBe(String(events.length));
      expect(details.sequence).toBe(created.body.details.sequence);
      expect(details.changeDate).toMatch(RFC3339_MS);
      expect(details.resourceOwner).toBe(orgA);
      expect(user).toEqual({
        userId,
        username,
        state: 'USER_STATE_ACTIVE',
        human: {
          profile: { givenName: 'Minnie', familyName: 'Mouse' },
          email: { email, isVerified: true },
          phone: { phone, isVerified: false },
        },
      });
    });

    it('omits email and phone when the user has none', async () => {
      const bare = await createUser(t, orgB, { phone: null, email: null });
      const response = await t.request('GET', `/v2/users/${bare.userId}`, { token: bare.token });
      expect(response.status).toBe(200);
      expect(response.body.user.human).toEqual({ profile: expect.any(Object) });
      expect(response.body.details.resourceOwner).toBe(orgB);
    });
  });

  describe('DELETE /v2/users/{id}/phone', () => {
    const sequenceOf = async (userId: string): Promise<number> => {
      const response = await t.request('GET', `/v2/users/${userId}`, { token: t.adminToken });
      expect(response.status).toBe(200);
      return Number(response.body.details.sequence);
    };

    const expectGaplessSequences = async (userId: string): Promise<void> => {
      const events = await eventsOf(t, userId);
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    };

    const expectPhoneGone = async (userId: string): Promise<void> => {
      const read = await t.request('GET', `/v2/users/${userId}`, { token: t.adminToken });
      expect(read.status).toBe(200);
      expect(read.body.user.human.phone).toBeUndefined();
      const again = await t.request('DELETE', `/v2/users/${userId}/phone`, { token: t.adminToken });
      expect(again.status).toBe(404);
      expect(again.body.code).toBe(Code.NotFound);
    };

    it('without OTP SMS writes one phone.removed event and advances the sequence by 1; removing again is 404 code 5', async () => {
      const user = await createUser(t, orgA);
      const before = await sequenceOf(user.userId);

      const removed = await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: t.adminToken });

      expect(removed.status).toBe(200);
      expect(removed.body.details.sequence).toBe(String(before + 1));
      expect(removed.body.details.resourceOwner).toBe(orgA);
      expect(removed.body.details.changeDate).toMatch(RFC3339_MS);
      const events = await eventsOf(t, user.userId);
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)).toMatchObject({ sequence: before + 1, type: 'user.human.phone.removed', creator: t.bootstrapped.adminId });
      await expectGaplessSequences(user.userId);
      await expectPhoneGone(user.userId);
    });

    it('with OTP SMS writes otp.sms.removed then phone.removed in one transaction, advances by 2 and removes the factor', async () => {
      const user = await createUser(t, orgA);
      const added = await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, body: {} });
      expect(added.status).toBe(200);
      const before = await sequenceOf(user.userId);
      expect(before).toBe(Number(added.body.details.sequence));

      const removed = await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: user.token });

      expect(removed.status).toBe(200);
      expect(removed.body.details.sequence).toBe(String(before + 2));
      // As stored, with what ties them to one transaction.
      const events = await storedEvents(t, user.userId);
      expect(events).toHaveLength(before + 2);
      const [factorRemoved, phoneRemoved] = events.slice(-2);
      expect(factorRemoved).toMatchObject({ sequence: String(before + 1), type: 'user.human.otp.sms.removed' });
      expect(phoneRemoved).toMatchObject({ sequence: String(before + 2), type: 'user.human.phone.removed' });
      // One transaction: the same now() and the same request.
      expect(factorRemoved.createdAt.getTime()).toBe(phoneRemoved.createdAt.getTime());
      expect(factorRemoved.requestId).toBe(phoneRemoved.requestId);
      expect(factorRemoved.requestId).toBe(removed.headers.get('x-request-id'));
      await expectGaplessSequences(user.userId);

      const factors = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
      expect(factors.status).toBe(200);
      expect((factors.body.result ?? []).filter((f: { otpSms?: unknown }) => f.otpSms !== undefined)).toEqual([]);
      expect(await t.dataSource.getRepository(AuthFactorEntity).countBy({ userId: user.userId, type: 'otp_sms' })).toBe(0);
      await expectPhoneGone(user.userId);
    });
  });

  it('rejects a validly signed token whose subject is no user with 401 code 16', async () => {
    const response = await t.request('GET', `/v2/users/${users.plainA.userId}`, { token: t.token(missingUserId) });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe(Code.Unauthenticated);
  });
});

/** Applies the schema to a fresh database the way `npm run migration:run` does, without bootstrapping it. */
async function migrateOnly(url: string): Promise<void> {
  const dataSource = createDataSource({ url, entities: [], migrations: MIGRATIONS, ...loadConfig({ DATABASE_URL: url }).database });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Runs `start` while a separate session holds `users` locked, and releases it only once `waiters`
 * other sessions are blocked waiting for a lock: the instances' bootstraps then all reach the same
 * point together instead of being staggered by their start-up times. `gathered` tells whether they did.
 */
async function releasingTogether<T>(databaseUrl: string, waiters: number, start: () => Promise<T>): Promise<{ result: T; gathered: boolean }> {
  // Raw, on a plain client of its own: a table lock and pg_stat_activity, which no entity or repository expresses.
  const blocker = new Client({ connectionString: databaseUrl });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  const pending = start();
  let gathered = false;
  try {
    const deadline = Date.now() + 4000; // below the instances' lock timeout
    while (!gathered && Date.now() < deadline) {
      // Statistics views are a snapshot for the whole transaction unless cleared.
      await blocker.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await blocker.query<{ count: string }>(
        `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      gathered = Number(rows[0].count) >= waiters;
      if (!gathered) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await blocker.query('COMMIT').catch(() => undefined);
    await blocker.end();
  }
  return { result: await pending, gathered };
}

/** Starts two instances of one deployment at the same moment: one database and one signing key. */
function startTwoInstances(databaseUrl: string): Promise<PromiseSettledResult<TestApp>[]> {
  // One key for both, as in a real deployment.
  const env = { DATABASE_URL: databaseUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-factors-bootstrap-')) };
  return Promise.allSettled([startTestApp(env), startTestApp(env)]);
}

/** Both instances started, and the bootstrap happened exactly once; closes both. */
async function expectBootstrappedOnce(started: PromiseSettledResult<TestApp>[]): Promise<void> {
  const apps = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : result.status))).toEqual(['fulfilled', 'fulfilled']);
    const [first, second] = apps;
    expect(second.bootstrapped.adminId).toBe(first.bootstrapped.adminId);
    expect(second.bootstrapped.organizationId).toBe(first.bootstrapped.organizationId);

    const admins = await first.dataSource.getRepository(UserEntity).find({ select: { id: true }, where: { username: 'admin' } });
    expect(admins.map((admin) => admin.id)).toEqual([first.bootstrapped.adminId]);
    const instanceMemberships = await first.dataSource.getRepository(MembershipEntity).findBy({ userId: first.bootstrapped.adminId, scope: 'instance' });
    expect(instanceMemberships).toHaveLength(1);
    const organizations = await first.dataSource.getRepository(OrganizationEntity).find({ select: { id: true }, where: { name: 'DEFAULT' } });
    expect(organizations.map((organization) => organization.id)).toEqual([first.bootstrapped.organizationId]);

    // Both instances serve, and accept the administrator's token.
    for (const app of apps) {
      expect((await app.request('GET', `/v2/users/${first.bootstrapped.adminId}`, { token: app.adminToken })).status).toBe(200);
    }
  } finally {
    await Promise.all(apps.map((app) => app.close()));
  }
}

describe('bootstrap', () => {
  it('runs once when two instances start at the same moment on one fresh database', async () => {
    await expectBootstrappedOnce(await startTwoInstances(await createTestDatabase()));
  });

  it('runs once when the bootstraps of two instances on a migrated, empty database reach the database at the same instant', async () => {
    const url = await createTestDatabase();
    await migrateOnly(url);
    const { result, gathered } = await releasingTogether(url, 2, () => startTwoInstances(url));
    await expectBootstrappedOnce(result);
    expect(gathered).toBe(true); // both bootstraps really were waiting at the same point
  });
});
