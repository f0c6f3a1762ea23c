// Issue 9: organization factor policy, step-up freshness, last-factor guard, If-Match preconditions and
// Idempotency-Key, over real HTTP (and Connect/gRPC for the errors) against a real PostgreSQL.
import type { ConnectError } from '@connectrpc/connect' with { 'resolution-mode': 'import' };
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { IdempotencyKeyEntity } from '../src/auth-factors/entities/idempotency-key.entity';
import { createOrganization, createUser, eventsOf, grantRoles, storedFactorTypes, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';
import { ZitadelClients } from './support/zitadel-clients';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const HOUR_AGO = () => new Date(Date.now() - 3600e3);

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

/** Asserts status, code and the first detail's id; returns the body. */
function expectError(response: ApiResponse, status: number, code: number, id: string): any {
  expect({ status: response.status, code: response.body?.code, id: response.body?.details?.[0]?.id }).toEqual({ status, code, id });
  expect(response.body.details[0]['@type']).toBe(ERROR_DETAIL_TYPE);
  return response.body;
}

async function setPolicy(org: string, body: Record<string, unknown>, token = t.adminToken): Promise<ApiResponse> {
  return t.request('PUT', `/v2/organizations/${org}/factor_policy`, { token, body });
}

async function addFactor(user: TestUser, type: 'otp_sms' | 'otp_email'): Promise<void> {
  const response = await t.request('POST', `/v2/users/${user.userId}/${type}`, { token: t.adminToken, body: {} });
  if (response.status !== 200) throw new Error(`adding ${type}: ${response.status} ${JSON.stringify(response.body)}`);
}

function factorsOf(userId: string): Promise<string[]> {
  return storedFactorTypes(t, userId);
}

const removeMine = (user: TestUser, type: string, headers: Record<string, string> = {}, token = user.token) =>
  t.request('DELETE', `/auth/v1/users/me/auth_factors/${type}`, { token, headers });

describe('organization factor policy (GET/PUT /v2/organizations/{orgId}/factor_policy)', () => {
  it('answers the configured defaults until the organization sets its own, and records the change on the organization', async () => {
    const org = await createOrganization(t);
    const owner = await createUser(t, org);
    await grantRoles(t, org, owner.userId, ['ORG_OWNER']);
    const read = await t.request('GET', `/v2/organizations/${org}/factor_policy`, { token: owner.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ policy: { forceMfa: false, isDefault: true } });

    const set = await setPolicy(org, { forceMfa: true, factorChangeMaxAuthAge: '300s' }, owner.token);
    expect(set.status).toBe(200);
    expect(set.body.policy).toEqual({ forceMfa: true, factorChangeMaxAuthAge: '300s', isDefault: false });
    expect(set.body.details).toMatchObject({ resourceOwner: org, sequence: expect.stringMatching(/^\d+$/) });
    expect((await t.request('GET', `/v2/organizations/${org}/factor_policy`, { token: owner.token })).body).toEqual({
      policy: { forceMfa: true, factorChangeMaxAuthAge: '300s', isDefault: false },
    });
    const events = await eventsOf(t, org);
    expect(events[events.length - 1]).toMatchObject({
      type: 'org.factor.policy.changed',
      creator: owner.userId,
      payload: { forceMfa: true, factorChangeMaxAuthAgeSeconds: 300 },
    });

    // PUT replaces the whole policy: a field left out is reset.
    expect((await setPolicy(org, { forceMfa: false }, owner.token)).body.policy).toEqual({ forceMfa: false, isDefault: false });
  });

  it('is read and changed by ORG_OWNER and IAM_OWNER only: a user manager gets 403, an outsider 404, bad input 400', async () => {
    const org = await createOrganization(t);
    const manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    const outsider = await createUser(t, await createOrganization(t));
    expectError(await t.request('GET', `/v2/organizations/${org}/factor_policy`, { token: manager.token }), 403, 7, 'AUTHF-PERM-403');
    expectError(await setPolicy(org, { forceMfa: true }, manager.token), 403, 7, 'AUTHF-PERM-403');
    expectError(await t.request('GET', `/v2/organizations/${org}/factor_policy`, { token: outsider.token }), 404, 5, 'AUTHF-ORG-404');
    expectError(await setPolicy(org, { forceMfa: true }, outsider.token), 404, 5, 'AUTHF-ORG-404');
    expectError(await setPolicy(org, { forceMfa: true, factorChangeMaxAuthAge: '5m' }), 400, 3, 'AUTHF-REQ-400');
    expectError(await setPolicy(org, { forceMfa: true, factorChangeMaxAuthAge: '2592001s' }), 400, 3, 'AUTHF-POLICY-400');
    expectError(await setPolicy(org, {}), 400, 3, 'AUTHF-REQ-400');
    expectError(await t.request('GET', '/v2/organizations/404404/factor_policy', { token: t.adminToken }), 404, 5, 'AUTHF-ORG-404');
    expect((await t.request('GET', `/v2/organizations/${org}/factor_policy`, { token: t.adminToken })).status).toBe(200);
  });
});

describe('step-up freshness (factorChangeMaxAuthAge)', () => {
  let org: string;
  beforeAll(async () => {
    org = await createOrganization(t);
    expect((await setPolicy(org, { forceMfa: false, factorChangeMaxAuthAge: '300s' })).status).toBe(200);
  });

  it('refuses a self-service removal with a token whose auth_time is an hour old: 403 code 7 with the ErrorDetail and a google.rpc.ErrorInfo; a fresh token succeeds', async () => {
    const user = await createUser(t, org);
    await addFactor(user, 'otp_sms');
    const before = await eventsOf(t, user.userId);
    const stale = t.token(user.userId, { authTime: HOUR_AGO() });
    const body = expectError(await removeMine(user, 'otp_sms', {}, stale), 403, 7, 'AUTHF-STEPUP-403');
    expect(body.details).toEqual([
      { '@type': ERROR_DETAIL_TYPE, id: 'AUTHF-STEPUP-403', message: expect.any(String) },
      { '@type': ERROR_INFO_TYPE, reason: 'STEP_UP_REQUIRED', domain: 'auth-factors', metadata: { maxAge: '300s' } },
    ]);
    expect(await eventsOf(t, user.userId)).toEqual(before);
    expect(await factorsOf(user.userId)).toEqual(['otp_sms']);

    // Also on the v2 route acting on oneself, and for additions.
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: stale }), 403, 7, 'AUTHF-STEPUP-403');
    expectError(await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: stale, body: {} }), 403, 7, 'AUTHF-STEPUP-403');

    const fresh = await removeMine(user, 'otp_sms', {}, t.token(user.userId, { authTime: new Date(Date.now() - 60e3) }));
    expect(fresh.status).toBe(200);
    const events = await eventsOf(t, user.userId);
    expect(events[events.length - 1]).toMatchObject({ type: 'user.human.otp.sms.removed', creator: user.userId, payload: {} });
  });

  it('counts an auth_time in the future as not fresh: a token claiming a sign-in tomorrow cannot stay fresh for ever (403, nothing changed)', async () => {
    const user = await createUser(t, org);
    await addFactor(user, 'otp_sms');
    const before = await eventsOf(t, user.userId);
    const tomorrow = t.token(user.userId, { authTime: new Date(Date.now() + 86_400e3), expiresInSeconds: 2 * 86_400 });
    expectError(await removeMine(user, 'otp_sms', {}, tomorrow), 403, 7, 'AUTHF-STEPUP-403');
    expect(await eventsOf(t, user.userId)).toEqual(before);
    expect(await factorsOf(user.userId)).toEqual(['otp_sms']);
  });

  it('exempts an administrator acting on another user (their own permission suffices) and records the event as an admin action', async () => {
    const user = await createUser(t, org);
    const manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    await addFactor(user, 'otp_email');
    const response = await t.request('DELETE', `/v2/users/${user.userId}/otp_email`, { token: t.token(manager.userId, { authTime: HOUR_AGO() }) });
    expect(response.status).toBe(200);
    const events = await eventsOf(t, user.userId);
    expect(events[events.length - 1]).toMatchObject({ type: 'user.human.otp.email.removed', creator: manager.userId, payload: { adminAction: true } });
  });

  it('is off by default: an old token may change factors, and the events stay as before', async () => {
    const plain = await createOrganization(t);
    const user = await createUser(t, plain);
    await addFactor(user, 'otp_sms');
    expect((await removeMine(user, 'otp_sms', {}, t.token(user.userId, { authTime: HOUR_AGO() }))).status).toBe(200);
    expect((await eventsOf(t, user.userId)).pop()!.payload).toEqual({});
  });
});

describe('last-factor guard (forceMfa)', () => {
  let org: string;
  let manager: TestUser;
  beforeAll(async () => {
    org = await createOrganization(t);
    expect((await setPolicy(org, { forceMfa: true })).status).toBe(200);
    manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
  });

  it('removes one of two factors, then refuses the last with 400 code 9 LAST_FACTOR_REQUIRED and keeps it', async () => {
    const user = await createUser(t, org);
    await addFactor(user, 'otp_sms');
    await addFactor(user, 'otp_email');
    expect((await removeMine(user, 'otp_sms')).status).toBe(200);
    const before = await eventsOf(t, user.userId);
    const body = expectError(await removeMine(user, 'otp_email'), 400, 9, 'AUTHF-FACTOR-LAST');
    expect(body.details[1]).toEqual({ '@type': ERROR_INFO_TYPE, reason: 'LAST_FACTOR_REQUIRED', domain: 'auth-factors', metadata: {} });
    expect(await factorsOf(user.userId)).toEqual(['otp_email']);
    expect(await eventsOf(t, user.userId)).toEqual(before);
    // The user cannot override for themselves; an administrator without force cannot either.
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_email?force=true&reason=mine`, { token: user.token }), 400, 9, 'AUTHF-FACTOR-LAST');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_email`, { token: manager.token }), 400, 9, 'AUTHF-FACTOR-LAST');
    // Removing the phone would take OTP SMS, the last factor, with it: refused too.
    const smsOnly = await createUser(t, org);
    await addFactor(smsOnly, 'otp_sms');
    expectError(await t.request('DELETE', `/v2/users/${smsOnly.userId}/phone`, { token: t.adminToken }), 400, 9, 'AUTHF-FACTOR-LAST');
    expect(await factorsOf(smsOnly.userId)).toEqual(['otp_sms']);
  });

  it('lets an administrator override with force=true and a non-empty reason, both recorded in the event; force without a reason is 400 code 3', async () => {
    const user = await createUser(t, org);
    await addFactor(user, 'otp_sms');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_sms?force=true`, { token: manager.token }), 400, 3, 'AUTHF-FORCE-400');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_sms?force=true&reason=%20%20`, { token: manager.token }), 400, 3, 'AUTHF-FORCE-400');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_sms?force=yes&reason=x`, { token: manager.token }), 400, 3, 'AUTHF-FORCE-400');
    const reason = 'lost both devices; identity checked by phone call';
    const response = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms?force=true&reason=${encodeURIComponent(reason)}`, { token: manager.token });
    expect(response.status).toBe(200);
    expect(await factorsOf(user.userId)).toEqual([]);
    const events = await eventsOf(t, user.userId);
    expect(events[events.length - 1]).toMatchObject({
      type: 'user.human.otp.sms.removed',
      creator: manager.userId,
      payload: { adminAction: true, force: true, reason },
    });
  });

  it('under concurrent removal of both factors of a forced-MFA user, exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(t, org);
      await addFactor(user, 'otp_sms');
      await addFactor(user, 'otp_email');
      const before = (await eventsOf(t, user.userId)).length;
      const responses = await Promise.all([removeMine(user, 'otp_sms'), removeMine(user, 'otp_email')]);
      expect(responses.map((r) => r.status).sort((a, b) => a - b)).toEqual([200, 400]);
      expect(responses.find((r) => r.status === 400)!.body.details[0].id).toBe('AUTHF-FACTOR-LAST');
      expect(await factorsOf(user.userId)).toHaveLength(1);
      expect(await eventsOf(t, user.userId)).toHaveLength(before + 1);
    }
  });
});

describe('concurrent commands on one user', () => {
  let org: string;
  beforeAll(async () => {
    org = await createOrganization(t);
  });

  // A change reads the user without a lock and writes only if the user's stream has not moved since: the loser of a
  // race must read again and succeed, not fail, and the events stay one gapless sequence.
  it('adds and removes both factors of one user in parallel rounds: every command succeeds, in one gapless sequence', async () => {
    const user = await createUser(t, org);
    const before = (await eventsOf(t, user.userId)).length;
    for (let round = 0; round < 4; round++) {
      const added = await Promise.all(
        ['otp_sms', 'otp_email', 'otp_sms', 'otp_email'].map((type) =>
          t.request('POST', `/v2/users/${user.userId}/${type}`, { token: t.adminToken, body: {} }),
        ),
      );
      // Two adds of the same factor: one 200, one 409; the other factor's add never fails for the race.
      expect(added.map((r) => r.status).sort((a, b) => a - b)).toEqual([200, 200, 409, 409]);
      expect(await factorsOf(user.userId)).toEqual(['otp_email', 'otp_sms']);
      const removed = await Promise.all(
        ['otp_sms', 'otp_email'].map((type) => t.request('DELETE', `/v2/users/${user.userId}/${type}`, { token: t.adminToken })),
      );
      expect(removed.map((r) => r.status)).toEqual([200, 200]);
      expect(await factorsOf(user.userId)).toEqual([]);
    }
    const events = (await eventsOf(t, user.userId)).slice(before);
    expect(events).toHaveLength(16);
    expect(events.map((e) => Number(e.sequence))).toEqual(Array.from({ length: 16 }, (_, i) => before + 1 + i));
  });
});

describe('ETag and If-Match', () => {
  let org: string;
  beforeAll(async () => {
    org = await createOrganization(t);
  });

  it('sends ETag "<sequence>" on every factor response (add, remove, list; v1 and v2)', async () => {
    const user = await createUser(t, org);
    const added = await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} });
    expect(added.headers.get('etag')).toBe(`"${added.body.details.sequence}"`);
    const addedV2 = await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: user.token, body: {} });
    expect(addedV2.headers.get('etag')).toBe(`"${addedV2.body.details.sequence}"`);
    const listed = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
    expect(listed.headers.get('etag')).toBe(`"${addedV2.body.details.sequence}"`);
    const removed = await t.request('DELETE', `/v2/users/${user.userId}/otp_email`, { token: user.token });
    expect(removed.headers.get('etag')).toBe(`"${removed.body.details.sequence}"`);
  });

  it('accepts a matching If-Match, refuses a stale one with 409 code 10 (ABORTED) changing nothing, and a malformed one with 400', async () => {
    const user = await createUser(t, org);
    await addFactor(user, 'otp_sms');
    await addFactor(user, 'otp_email');
    const etag = (await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} })).headers.get('etag')!;
    const stale = `"${Number(JSON.parse(etag)) - 1}"`;
    const before = await eventsOf(t, user.userId);
    expectError(await removeMine(user, 'otp_sms', { 'if-match': stale }), 409, 10, 'AUTHF-IFMATCH-409');
    expect(await eventsOf(t, user.userId)).toEqual(before);
    expect(await factorsOf(user.userId)).toEqual(['otp_email', 'otp_sms']);
    expectError(await removeMine(user, 'otp_sms', { 'if-match': '7' }), 400, 3, 'AUTHF-IFMATCH-400');
    expectError(await removeMine(user, 'otp_sms', { 'if-match': 'W/"7"' }), 400, 3, 'AUTHF-IFMATCH-400');
    const removed = await removeMine(user, 'otp_sms', { 'if-match': etag });
    expect(removed.status).toBe(200);
    // The ETag of the answer is the precondition of the next change.
    expect((await removeMine(user, 'otp_email', { 'if-match': removed.headers.get('etag')! })).status).toBe(200);
  });

  it('two concurrent removals of different factors with the same If-Match: one 200, one 409', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(t, org);
      await addFactor(user, 'otp_sms');
      await addFactor(user, 'otp_email');
      const etag = `"${(await eventsOf(t, user.userId)).length}"`;
      const responses = await Promise.all([removeMine(user, 'otp_sms', { 'if-match': etag }), removeMine(user, 'otp_email', { 'if-match': etag })]);
      expect(responses.map((r) => r.status).sort((a, b) => a - b)).toEqual([200, 409]);
      expect(responses.find((r) => r.status === 409)!.body.code).toBe(10);
      expect(await factorsOf(user.userId)).toHaveLength(1);
    }
  });
});

describe('Idempotency-Key', () => {
  let org: string;
  beforeAll(async () => {
    org = await createOrganization(t);
  });

  const key = () => `key-${Math.random().toString(36).slice(2)}`;

  it('replays the first answer (status, body, ETag) for a retry with the same key, and acts once', async () => {
    const user = await createUser(t, org);
    const headers = { 'idempotency-key': key() };
    const first = await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {}, headers });
    const events = await eventsOf(t, user.userId);
    const retry = await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {}, headers });
    expect(first.status).toBe(200);
    expect({ status: retry.status, body: retry.body, etag: retry.headers.get('etag') }).toEqual({
      status: first.status,
      body: first.body,
      etag: first.headers.get('etag'),
    });
    expect(await eventsOf(t, user.userId)).toEqual(events);
    // Without the key, the same request is a new one: 409, already configured.
    expectError(await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} }), 409, 6, 'AUTHF-SMS-409');
  });

  it('refuses the same key on another operation or another user with 409 code 6, and lets other callers use the same key', async () => {
    const user = await createUser(t, org);
    const other = await createUser(t, org);
    const headers = { 'idempotency-key': key() };
    expect((await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, body: {}, headers })).status).toBe(200);
    expectError(await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: t.adminToken, body: {}, headers }), 409, 6, 'AUTHF-IDEM-409');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, headers }), 409, 6, 'AUTHF-IDEM-409');
    expectError(await t.request('POST', `/v2/users/${other.userId}/otp_sms`, { token: t.adminToken, body: {}, headers }), 409, 6, 'AUTHF-IDEM-409');
    expect(await factorsOf(user.userId)).toEqual(['otp_sms']);
    expect(await factorsOf(other.userId)).toEqual([]);
    // The key belongs to the acting user: another caller's identical key is unrelated.
    expect((await t.request('POST', `/v2/users/${other.userId}/otp_sms`, { token: other.token, body: {}, headers })).status).toBe(200);
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, body: {}, headers: { 'idempotency-key': 'bad key' } }),
      400,
      3,
      'AUTHF-IDEM-400',
    );
  });

  it('stores successes only: after an error, a retry with the same key runs again', async () => {
    const user = await createUser(t, org);
    const headers = { 'idempotency-key': key() };
    expectError(await removeMine(user, 'otp_sms', headers), 404, 5, 'AUTHF-SMS-404');
    await addFactor(user, 'otp_sms');
    expect((await removeMine(user, 'otp_sms', headers)).status).toBe(200);
    expect(await factorsOf(user.userId)).toEqual([]);
  });

  it('forgets keys after 24 hours', async () => {
    const user = await createUser(t, org);
    const headers = { 'idempotency-key': key() };
    await addFactor(user, 'otp_sms');
    expect((await removeMine(user, 'otp_sms', headers)).status).toBe(200);
    await t.dataSource.getRepository(IdempotencyKeyEntity).update({ userId: user.userId }, { createdAt: new Date(Date.now() - 25 * 3600_000) });
    expectError(await removeMine(user, 'otp_sms', headers), 404, 5, 'AUTHF-SMS-404');
  });

  it('two concurrent requests with the same key: one event, two identical answers', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(t, org);
      await addFactor(user, 'otp_email');
      const before = (await eventsOf(t, user.userId)).length;
      const headers = { 'idempotency-key': key() };
      const [a, b] = await Promise.all([removeMine(user, 'otp_email', headers), removeMine(user, 'otp_email', headers)]);
      expect(a.status).toBe(200);
      expect({ status: b.status, body: b.body, etag: b.headers.get('etag') }).toEqual({ status: a.status, body: a.body, etag: a.headers.get('etag') });
      expect(await eventsOf(t, user.userId)).toHaveLength(before + 1);
    }
  });
});

describe('over Connect and gRPC: the same codes and details from metadata', () => {
  let clients: ZitadelClients;

  beforeAll(async () => {
    clients = await ZitadelClients.load(t);
  });

  afterAll(() => clients?.close());

  /** The google.rpc.ErrorInfo details of an error, decoded (fields 1 reason, 2 domain, 3 metadata map). */
  function errorInfos(error: ConnectError): { reason: string; domain: string; metadata: Record<string, string> }[] {
    return error.details
      .filter((detail) => 'type' in detail && detail.type === 'google.rpc.ErrorInfo')
      .map((detail) => {
        const reader = new BinaryReader((detail as { value: Uint8Array }).value);
        const info = { reason: '', domain: '', metadata: {} as Record<string, string> };
        while (reader.pos < reader.len) {
          const [field] = reader.tag();
          if (field === 1) info.reason = reader.string();
          else if (field === 2) info.domain = reader.string();
          else {
            const entry = new BinaryReader(reader.bytes());
            let k = '';
            let v = '';
            while (entry.pos < entry.len) {
              const [f] = entry.tag();
              if (f === 1) k = entry.string();
              else v = entry.string();
            }
            info.metadata[k] = v;
          }
        }
        return info;
      });
  }

  it.each(['connect', 'grpc'] as const)(
    '%s: step-up is PermissionDenied with AUTHF-STEPUP-403 and ErrorInfo STEP_UP_REQUIRED; a stale if-match is Aborted; etag metadata on success',
    async (protocol) => {
      const org = await createOrganization(t);
      expect((await setPolicy(org, { forceMfa: false, factorChangeMaxAuthAge: '300s' })).status).toBe(200);
      const user = await createUser(t, org);
      await addFactor(user, 'otp_sms');
      await addFactor(user, 'otp_email');

      const stale = await clients.failure(clients.auth(protocol, t.token(user.userId, { authTime: HOUR_AGO() })).removeMyAuthFactorOTPSMS({}));
      expect(stale.code).toBe(clients.connect.Code.PermissionDenied);
      expect(clients.errorDetails(stale).map((d) => d.id)).toEqual(['AUTHF-STEPUP-403']);
      expect(errorInfos(stale)).toEqual([{ reason: 'STEP_UP_REQUIRED', domain: 'auth-factors', metadata: { maxAge: '300s' } }]);

      const sequence = (await eventsOf(t, user.userId)).length;
      const aborted = await clients.failure(clients.users(protocol, user.token, { 'if-match': `"${sequence - 1}"` }).removeOTPSMS({ userId: user.userId }));
      expect(aborted.code).toBe(clients.connect.Code.Aborted);
      expect(clients.errorDetails(aborted).map((d) => d.id)).toEqual(['AUTHF-IFMATCH-409']);
      expect(await factorsOf(user.userId)).toEqual(['otp_email', 'otp_sms']);

      let etag: string | null = null;
      const removed = await clients
        .users(protocol, user.token, { 'if-match': `"${sequence}"`, 'idempotency-key': `grpc-${protocol}` })
        .removeOTPSMS({ userId: user.userId }, { onHeader: (headers) => (etag = headers.get('etag')) });
      expect(removed.details?.sequence).toBe(BigInt(sequence + 1));
      expect(etag).toBe(`"${sequence + 1}"`);
      // The same key replays over RPCs too.
      const replayed = await clients.users(protocol, user.token, { 'idempotency-key': `grpc-${protocol}` }).removeOTPSMS({ userId: user.userId });
      expect(replayed.details?.sequence).toBe(BigInt(sequence + 1));
      expect(await eventsOf(t, user.userId)).toHaveLength(sequence + 1);
    },
  );
});

describe('organization factor policy defaults', () => {
  it('takes its defaults from FORCE_MFA_DEFAULT and FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT', async () => {
    const other = await startTestApp({ FORCE_MFA_DEFAULT: 'true', FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: '10m' });
    try {
      const org = (await other.request('POST', '/v2/organizations', { token: other.adminToken, body: { name: 'defaults' } })).body.organizationId;
      const read = await other.request('GET', `/v2/organizations/${org}/factor_policy`, { token: other.adminToken });
      expect(read.body).toEqual({ policy: { forceMfa: true, factorChangeMaxAuthAge: '600s', isDefault: true } });
    } finally {
      await other.close();
    }
  });
});
