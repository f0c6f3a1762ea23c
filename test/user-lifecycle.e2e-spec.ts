import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectError } from '@connectrpc/connect' with { 'resolution-mode': 'import' };
import { systemCaller } from '@app/auth';
import { Transaction } from '@app/database';
import { AuthFactorEntity } from '../src/auth-factors/entities/auth-factor.entity';
import { MembershipEntity } from '../src/permissions/entities/membership.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { UserLifecycleService } from '../src/users/user-lifecycle.service';
import { createOrganization, createUser, eventsOf, grantRoles, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-postgres';
import { Protocol, PROTOCOLS, UserClient, ZitadelClients } from './support/zitadel-clients';

let t: TestApp;
let clients: ZitadelClients;
let org: string;
let manager: TestUser;
let owner: TestUser;

const failure = (call: Promise<unknown>): Promise<ConnectError> => clients.failure(call);
const detailIds = (error: ConnectError): string[] => clients.errorDetails(error).map((d) => d.id);
const userClient = (protocol: Protocol, token?: string): UserClient => clients.users(protocol, token);
const errorId = (body: any): string => body.details[0].id;

async function state(userId: string): Promise<string> {
  const response = await t.request('GET', `/v2/users/${userId}`, { token: t.adminToken });
  expect(response.status).toBe(200);
  return response.body.user.state;
}

/** How many factors and memberships the user has stored. */
async function factorsAndMemberships(userId: string): Promise<number[]> {
  return [await t.dataSource.getRepository(AuthFactorEntity).countBy({ userId }), await t.dataSource.getRepository(MembershipEntity).countBy({ userId })];
}

beforeAll(async () => {
  t = await startTestApp();
  clients = await ZitadelClients.load(t);
  org = await createOrganization(t);
  manager = await createUser(t, org);
  owner = await createUser(t, org);
  await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
  await grantRoles(t, org, owner.userId, ['ORG_OWNER']);
});

afterAll(async () => {
  clients?.close();
  await t?.close();
});

describe('user lifecycle over REST', () => {
  it('deactivate, reactivate, lock, unlock: each one event, the state in GET /v2/users/{id}, details with the new sequence', async () => {
    const user = await createUser(t, org);
    const before = (await eventsOf(t, user.userId)).length;
    const steps: [string, string][] = [
      ['deactivate', 'USER_STATE_INACTIVE'],
      ['reactivate', 'USER_STATE_ACTIVE'],
      ['lock', 'USER_STATE_LOCKED'],
      ['unlock', 'USER_STATE_ACTIVE'],
    ];
    for (const [i, [action, expected]] of steps.entries()) {
      const response = await t.request('POST', `/v2/users/${user.userId}/${action}`, { token: manager.token, body: {} });
      expect(response.status).toBe(200);
      expect(response.body.details).toMatchObject({ sequence: String(before + i + 1), resourceOwner: org });
      expect(await state(user.userId)).toBe(expected);
    }
    expect((await eventsOf(t, user.userId)).slice(before).map((e) => [e.type, e.creator])).toEqual([
      ['user.deactivated', manager.userId],
      ['user.reactivated', manager.userId],
      ['user.locked', manager.userId],
      ['user.unlocked', manager.userId],
    ]);
  });

  it('refuses what ZITADEL refuses (400, code 9), and changes nothing: a deactivated user cannot be locked, and so on', async () => {
    const user = await createUser(t, org);
    const call = (action: string) => t.request('POST', `/v2/users/${user.userId}/${action}`, { token: manager.token });
    const refused = async (action: string, id: string) => {
      const events = (await eventsOf(t, user.userId)).length;
      const response = await call(action);
      expect([response.status, response.body.code, errorId(response.body)]).toEqual([400, 9, id]);
      expect((await eventsOf(t, user.userId)).length).toBe(events);
    };
    await refused('reactivate', 'AUTHF-USER-NOT-INACTIVE');
    await refused('unlock', 'AUTHF-USER-NOT-LOCKED');
    expect((await call('lock')).status).toBe(200);
    await refused('lock', 'AUTHF-USER-NOT-ACTIVE');
    await refused('reactivate', 'AUTHF-USER-NOT-INACTIVE');
    // Deactivating a locked user ends the lock (as in ZITADEL); a deactivated user cannot be locked or unlocked.
    expect((await call('deactivate')).status).toBe(200);
    await refused('deactivate', 'AUTHF-USER-ALREADY-INACTIVE');
    await refused('lock', 'AUTHF-USER-NOT-ACTIVE');
    await refused('unlock', 'AUTHF-USER-NOT-LOCKED');
    expect(await state(user.userId)).toBe('USER_STATE_INACTIVE');
  });

  it('refuses the tokens of a deactivated, locked or deleted user from the next request on, and accepts them again once reactivated or unlocked', async () => {
    const user = await createUser(t, org);
    const me = () => t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
    const refusedId = async () => {
      const response = await me();
      return [response.status, response.body.code, errorId(response.body)];
    };
    expect((await me()).status).toBe(200);
    await t.request('POST', `/v2/users/${user.userId}/deactivate`, { token: manager.token });
    expect(await refusedId()).toEqual([401, 16, 'AUTHF-AUTH-004']);
    await t.request('POST', `/v2/users/${user.userId}/reactivate`, { token: manager.token });
    expect((await me()).status).toBe(200);
    await t.request('POST', `/v2/users/${user.userId}/lock`, { token: manager.token });
    expect(await refusedId()).toEqual([401, 16, 'AUTHF-AUTH-004']);
    await t.request('POST', `/v2/users/${user.userId}/unlock`, { token: manager.token });
    expect((await me()).status).toBe(200);
    expect((await t.request('DELETE', `/v2/users/${user.userId}`, { token: owner.token })).status).toBe(200);
    expect(await refusedId()).toEqual([401, 16, 'AUTHF-AUTH-004']);
  });

  it('deletes a user with its factors and memberships in one transaction; its events stay, with user.removed last', async () => {
    const user = await createUser(t, org);
    await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, body: {} });
    await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: t.adminToken, body: {} });
    await grantRoles(t, org, user.userId, ['ORG_PROJECT_CREATOR']);
    expect(await factorsAndMemberships(user.userId)).toEqual([2, 1]);
    const before = await eventsOf(t, user.userId);

    const response = await t.request('DELETE', `/v2/users/${user.userId}`, { token: owner.token });
    expect(response.status).toBe(200);
    expect(response.body.details).toMatchObject({ sequence: String(before.length + 1), resourceOwner: org });
    expect(await factorsAndMemberships(user.userId)).toEqual([0, 0]);
    const after = await eventsOf(t, user.userId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => [e.type, e.creator])).toEqual([['user.removed', owner.userId]]);

    const read = await t.request('GET', `/v2/users/${user.userId}`, { token: t.adminToken });
    expect([read.status, errorId(read.body)]).toEqual([404, 'AUTHF-USER-404']);
    const again = await t.request('DELETE', `/v2/users/${user.userId}`, { token: owner.token });
    expect([again.status, errorId(again.body)]).toEqual([404, 'AUTHF-USER-404']);
  });

  it("a deleted user's id cannot be taken again (409, code 6), and nothing is stored", async () => {
    const userId = `lifecycle-${Date.now()}`;
    const create = () =>
      t.request('POST', '/v2/users/human', {
        token: t.adminToken,
        body: { userId, username: `reuse-${userId}-${Math.random()}`, organization: { orgId: org }, profile: { givenName: 'Re', familyName: 'Use' } },
      });
    expect((await create()).status).toBe(200);
    expect((await t.request('DELETE', `/v2/users/${userId}`, { token: t.adminToken })).status).toBe(200);
    const events = await eventsOf(t, userId);
    const retaken = await create();
    expect([retaken.status, retaken.body.code, errorId(retaken.body)]).toEqual([409, 6, 'AUTHF-USER-409-DELETED']);
    expect(await eventsOf(t, userId)).toEqual(events);
    expect(await t.dataSource.getRepository(UserEntity).existsBy({ id: userId })).toBe(false);
  });

  it('a creation racing the deletion of the same id waits for it and is refused: the id is never taken twice', async () => {
    const userId = `race-${Date.now()}`;
    const body = (n: number) => ({ userId, username: `race-${userId}-${n}`, organization: { orgId: org }, profile: { givenName: 'Ra', familyName: 'Ce' } });
    expect((await t.request('POST', '/v2/users/human', { token: t.adminToken, body: body(1) })).status).toBe(200);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let deleted!: () => void;
    const deletedInTransaction = new Promise<void>((resolve) => (deleted = resolve));
    // The deletion, through the service, in a transaction held open until the creation is under way.
    const deletion = t.dataSource.transaction(async (manager) => {
      await t.app.get(UserLifecycleService).delete(systemCaller('race'), userId, { transaction: new Transaction(manager) });
      deleted();
      await gate;
    });
    await deletedInTransaction;
    const creation = t.request('POST', '/v2/users/human', { token: t.adminToken, body: body(2) });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the creation now waits on the deleted row's key
    release();
    await deletion;
    const created = await creation;
    expect([created.status, errorId(created.body)]).toEqual([409, 'AUTHF-USER-409-DELETED']);
    expect(await t.dataSource.getRepository(UserEntity).existsBy({ id: userId })).toBe(false);
  });

  it('deletion needs user.delete (an ORG_PROJECT_CREATOR has none: 403); another organization sees 404', async () => {
    const user = await createUser(t, org);
    const projectCreator = await createUser(t, org);
    await grantRoles(t, org, projectCreator.userId, ['ORG_PROJECT_CREATOR']);
    const otherOrg = await createOrganization(t);
    const otherOwner = await createUser(t, otherOrg);
    await grantRoles(t, otherOrg, otherOwner.userId, ['ORG_OWNER']);
    const denied = await t.request('DELETE', `/v2/users/${user.userId}`, { token: projectCreator.token });
    expect([denied.status, denied.body.code, errorId(denied.body)]).toEqual([403, 7, 'AUTHF-PERM-403']);
    expect(denied.body.message).toContain('user.delete');
    const hidden = await t.request('DELETE', `/v2/users/${user.userId}`, { token: otherOwner.token });
    expect([hidden.status, errorId(hidden.body)]).toEqual([404, 'AUTHF-USER-404']);
    const lockHidden = await t.request('POST', `/v2/users/${user.userId}/lock`, { token: otherOwner.token });
    expect([lockHidden.status, errorId(lockHidden.body)]).toEqual([404, 'AUTHF-USER-404']);
    expect(await state(user.userId)).toBe('USER_STATE_ACTIVE');
  });

  it('an organization-level administrator cannot delete, lock or deactivate the instance administrator in their organization (403)', async () => {
    const adminOrg = (await t.request('GET', `/v2/users/${t.bootstrapped.adminId}`, { token: t.adminToken })).body.details.resourceOwner;
    const localOwner = await createUser(t, adminOrg);
    await grantRoles(t, adminOrg, localOwner.userId, ['ORG_OWNER']);
    const before = await eventsOf(t, t.bootstrapped.adminId);
    for (const [method, path] of [
      ['DELETE', ''],
      ['POST', '/lock'],
      ['POST', '/deactivate'],
    ]) {
      const response = await t.request(method, `/v2/users/${t.bootstrapped.adminId}${path}`, { token: localOwner.token });
      expect([response.status, response.body.code, errorId(response.body)]).toEqual([403, 7, 'AUTHF-PRIVILEGE-403']);
    }
    expect(await eventsOf(t, t.bootstrapped.adminId)).toEqual(before);
    expect(await state(t.bootstrapped.adminId)).toBe('USER_STATE_ACTIVE');
  });

  it('nobody deactivates or locks themselves (403); a user may delete their own account, as in ZITADEL', async () => {
    for (const action of ['deactivate', 'lock']) {
      const response = await t.request('POST', `/v2/users/${manager.userId}/${action}`, { token: manager.token });
      expect([response.status, response.body.code, errorId(response.body)]).toEqual([403, 7, 'AUTHF-USER-SELF-403']);
    }
    const leaving = await createUser(t, org);
    expect((await t.request('DELETE', `/v2/users/${leaving.userId}`, { token: leaving.token })).status).toBe(200);
  });
});

describe.each(PROTOCOLS)("user lifecycle over ZITADEL's client (%s)", (protocol) => {
  it('DeactivateUser, ReactivateUser, LockUser, UnlockUser, DeleteUser: details, state in GetUserByID, events', async () => {
    const user = await createUser(t, org);
    const client = userClient(protocol, manager.token);
    const before = (await eventsOf(t, user.userId)).length;
    expect((await client.deactivateUser({ userId: user.userId })).details).toMatchObject({ sequence: BigInt(before + 1), resourceOwner: org });
    expect((await client.getUserByID({ userId: user.userId })).user?.state).toBe(2 /* USER_STATE_INACTIVE */);
    await client.reactivateUser({ userId: user.userId });
    await client.lockUser({ userId: user.userId });
    expect((await client.getUserByID({ userId: user.userId })).user?.state).toBe(4 /* USER_STATE_LOCKED */);
    await client.unlockUser({ userId: user.userId });
    expect((await client.getUserByID({ userId: user.userId })).user?.state).toBe(1 /* USER_STATE_ACTIVE */);
    expect((await client.deleteUser({ userId: user.userId })).details?.sequence).toBe(BigInt(before + 5));
    expect((await eventsOf(t, user.userId)).slice(before).map((e) => e.type)).toEqual([
      'user.deactivated',
      'user.reactivated',
      'user.locked',
      'user.unlocked',
      'user.removed',
    ]);
    const gone = await failure(client.getUserByID({ userId: user.userId }));
    expect([gone.code, detailIds(gone)]).toEqual([clients.connect.Code.NotFound, ['AUTHF-USER-404']]);
  });

  it('a precondition refused as REST refuses it: FailedPrecondition with the same detail', async () => {
    const user = await createUser(t, org);
    const error = await failure(userClient(protocol, manager.token).unlockUser({ userId: user.userId }));
    expect([error.code, detailIds(error)]).toEqual([clients.connect.Code.FailedPrecondition, ['AUTHF-USER-NOT-LOCKED']]);
  });

  it("refuses a locked, deactivated or deleted user's token from the next call on", async () => {
    const user = await createUser(t, org);
    const own = userClient(protocol, user.token);
    const admin = userClient(protocol, manager.token);
    const refused = async () => {
      const error = await failure(own.getUserByID({ userId: user.userId }));
      return [error.code, detailIds(error)];
    };
    const unauthenticated = [clients.connect.Code.Unauthenticated, ['AUTHF-AUTH-004']];
    expect((await own.getUserByID({ userId: user.userId })).user?.userId).toBe(user.userId);
    await admin.lockUser({ userId: user.userId });
    expect(await refused()).toEqual(unauthenticated);
    await admin.unlockUser({ userId: user.userId });
    expect((await own.getUserByID({ userId: user.userId })).user?.userId).toBe(user.userId);
    await admin.deactivateUser({ userId: user.userId });
    expect(await refused()).toEqual(unauthenticated);
    await admin.reactivateUser({ userId: user.userId });
    await userClient(protocol, owner.token).deleteUser({ userId: user.userId });
    expect(await refused()).toEqual(unauthenticated);
  });
});

describe('user lifecycle across two instances sharing one database', () => {
  it("another instance refuses a deactivated user's token once PostgreSQL tells it, though it had found the user active a moment before", async () => {
    // One deployment: one database and one signing key.
    const env = { DATABASE_URL: await createTestDatabase(), DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-factors-lifecycle-')) };
    const a = await startTestApp(env);
    const b = await startTestApp(env);
    try {
      const organizationId = await createOrganization(a);
      const user = await createUser(a, organizationId);
      const onB = () => b.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
      // Twice: the second answer comes from what B remembers of the first (no statement of its own).
      expect([(await onB()).status, (await onB()).status]).toEqual([200, 200]);
      expect((await a.request('POST', `/v2/users/${user.userId}/deactivate`, { token: a.adminToken })).status).toBe(200);
      // B remembers "active" for 10 s unless told otherwise: refused well before that, by the deactivation's NOTIFY.
      const deactivatedAt = Date.now();
      let refused: ApiResponse | undefined;
      while (!refused && Date.now() - deactivatedAt < 2000) {
        const response = await onB();
        if (response.status === 401) refused = response;
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(refused && [refused.status, refused.body.code, errorId(refused.body)]).toEqual([401, 16, 'AUTHF-AUTH-004']);
      expect((await a.request('POST', `/v2/users/${user.userId}/reactivate`, { token: a.adminToken })).status).toBe(200);
      expect((await onB()).status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
