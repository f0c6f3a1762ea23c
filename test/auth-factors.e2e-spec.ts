import { randomInt } from 'node:crypto';
import { AuthFactorType } from '../src/auth-factors/auth-factor.kind';
import { replayAuthFactors } from '../src/auth-factors/auth-factor.projection';
import {
  createOrganization,
  createUser,
  eventsOf,
  grantRoles,
  storedEvents,
  storedFactorTypes,
  streamSequence,
  TestUser,
  UserOptions,
} from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

// ---------------------------------------------------------------------------
// What the contract fixes, written out here (not read from src/) so that a
// change in the service shows up as a failing test.
// ---------------------------------------------------------------------------

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const READY = 'AUTH_FACTOR_STATE_READY';
const PHONE_REMOVED = 'user.human.phone.removed';

interface FactorCase {
  readonly type: AuthFactorType;
  readonly label: string;
  readonly notConfiguredId: string;
  readonly preconditionId: string;
  readonly alreadyExistsId: string;
  /** The key of the factor in the v1 list. */
  readonly listKey: 'otpSms' | 'otpEmail';
  readonly addedEvent: string;
  readonly removedEvent: string;
  /** A user whose channel for this factor is present but not verified. */
  readonly unverifiedChannel: UserOptions;
}

const OTP_SMS: FactorCase = {
  type: 'otp_sms',
  label: 'OTP SMS',
  notConfiguredId: 'AUTHF-SMS-404',
  preconditionId: 'AUTHF-SMS-PRECONDITION',
  alreadyExistsId: 'AUTHF-SMS-409',
  listKey: 'otpSms',
  addedEvent: 'user.human.otp.sms.added',
  removedEvent: 'user.human.otp.sms.removed',
  unverifiedChannel: { phoneVerified: false },
};

const OTP_EMAIL: FactorCase = {
  type: 'otp_email',
  label: 'OTP Email',
  notConfiguredId: 'AUTHF-EMAIL-404',
  preconditionId: 'AUTHF-EMAIL-PRECONDITION',
  alreadyExistsId: 'AUTHF-EMAIL-409',
  listKey: 'otpEmail',
  addedEvent: 'user.human.otp.email.added',
  removedEvent: 'user.human.otp.email.removed',
  unverifiedChannel: { emailVerified: false },
};

const FACTORS: readonly FactorCase[] = [OTP_SMS, OTP_EMAIL];

type DetailKey = 'sequence' | 'creationDate' | 'changeDate' | 'resourceOwner';

interface ApiCase {
  readonly name: string;
  /** The route of the factor for `user`. */
  path(factor: FactorCase, user: TestUser): string;
  /** Who calls: v1 is always the user; v2 is exercised by the instance administrator. */
  actor(t: TestApp, user: TestUser): { token: string; userId: string };
  readonly addDetails: readonly DetailKey[];
  readonly removeDetails: readonly DetailKey[];
}

const V1: ApiCase = {
  name: 'Auth API v1 (me)',
  path: (factor) => `/auth/v1/users/me/auth_factors/${factor.type}`,
  actor: (_t, user) => ({ token: user.token, userId: user.userId }),
  addDetails: ['sequence', 'creationDate', 'resourceOwner'],
  removeDetails: ['sequence', 'creationDate', 'changeDate', 'resourceOwner'],
};

const V2: ApiCase = {
  name: 'User service v2 (as IAM_OWNER)',
  path: (factor, user) => `/v2/users/${user.userId}/${factor.type}`,
  actor: (t) => ({ token: t.adminToken, userId: t.bootstrapped.adminId }),
  addDetails: ['sequence', 'changeDate', 'resourceOwner'],
  removeDetails: ['sequence', 'changeDate', 'resourceOwner'],
};

const COMBINATIONS = [V1, V2].flatMap((api) => FACTORS.map((factor) => ({ api, factor })));

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

interface ErrorBody {
  code: number;
  message: string;
  details: { '@type': string; id: string; message: string }[];
}

/** Asserts the contract's one error body (section 3). */
function expectError(response: ApiResponse, status: number, code: number, id?: string): ErrorBody {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  const body = response.body as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'message']);
  expect(body.details).toEqual([{ '@type': ERROR_DETAIL_TYPE, id: id ?? expect.stringMatching(/^AUTHF-/), message: expect.any(String) }]);
  expect(body.message).toBe(`${body.details[0].message} (${body.details[0].id})`);
  return body;
}

interface StoredEvent {
  readonly sequence: number;
  readonly type: string;
  readonly creator: string;
  readonly resourceOwner: string;
  readonly requestId: string | null;
  readonly createdAt: string;
  readonly payload: Record<string, unknown>;
}

/** The user's events with everything the contract says they record (section 6), oldest first. */
async function storedEventsOf(t: TestApp, userId: string): Promise<StoredEvent[]> {
  return (await storedEvents(t, userId)).map((event) => ({
    sequence: Number(event.sequence),
    type: event.type,
    creator: event.creator,
    resourceOwner: event.resourceOwner,
    requestId: event.requestId,
    createdAt: event.createdAt.toISOString(),
    payload: event.payload,
  }));
}

/** The factor types the read model (auth_factors) holds for the user. */
async function readModelFactors(t: TestApp, userId: string): Promise<AuthFactorType[]> {
  return (await storedFactorTypes(t, userId)) as AuthFactorType[];
}

async function lastSequence(t: TestApp, userId: string): Promise<number> {
  const events = await eventsOf(t, userId);
  return events.length === 0 ? 0 : events[events.length - 1].sequence;
}

/** The v1 list of the token's user. */
async function listMine(t: TestApp, user: TestUser): Promise<ApiResponse<{ result: Record<string, unknown>[] }>> {
  const response = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
  expect(response.status).toBe(200);
  return response;
}

/** Asserts a manipulation's `details`: exactly `keys`, the sequence, the owner, and dates of now. */
function expectDetails(details: Record<string, string>, keys: readonly DetailKey[], expected: { sequence: number; resourceOwner: string }): void {
  expect(Object.keys(details).sort()).toEqual([...keys].sort());
  expect(details.sequence).toBe(String(expected.sequence));
  expect(details.resourceOwner).toBe(expected.resourceOwner);
  for (const key of ['creationDate', 'changeDate'] as const) {
    if (!keys.includes(key)) continue;
    expect(details[key]).toMatch(RFC3339_MS_UTC);
    expect(Math.abs(Date.parse(details[key]) - Date.now())).toBeLessThan(1000);
  }
  if (details.creationDate && details.changeDate) expect(details.changeDate).toBe(details.creationDate);
}

/** Adds the factor as the administrator (setup, not under test). */
async function configure(t: TestApp, user: TestUser, factor: FactorCase): Promise<void> {
  const response = await t.request('POST', `/v2/users/${user.userId}/${factor.type}`, { token: t.adminToken, body: {} });
  if (response.status !== 200) throw new Error(`configuring ${factor.label}: ${response.status} ${JSON.stringify(response.body)}`);
}

function countBy<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------

describe('auth factors (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe.each(COMBINATIONS.map((c) => [`${c.factor.label} over ${c.api.name}`, c] as const))('%s', (_name, { api, factor }) => {
    let org: string;
    beforeAll(async () => {
      org = await createOrganization(t);
    });

    it(`answers removing an unconfigured ${factor.label} with 404, code 5, id ${factor.notConfiguredId}, and stores nothing`, async () => {
      const user = await createUser(t, org);
      const before = await storedEventsOf(t, user.userId);
      const response = await t.request('DELETE', api.path(factor, user), { token: api.actor(t, user).token });
      expectError(response, 404, 5, factor.notConfiguredId);
      expect(await storedEventsOf(t, user.userId)).toEqual(before);
    });

    it(`answers adding ${factor.label} without a verified channel with 400, code 9, and stores nothing`, async () => {
      const user = await createUser(t, org, factor.unverifiedChannel);
      const before = await storedEventsOf(t, user.userId);
      const response = await t.request('POST', api.path(factor, user), { token: api.actor(t, user).token, body: {} });
      expectError(response, 400, 9, factor.preconditionId);
      expect(await readModelFactors(t, user.userId)).toEqual([]);
      expect(await storedEventsOf(t, user.userId)).toEqual(before);
    });

    it(`adds ${factor.label}: 200 with details {${api.addDetails.join(', ')}}, sequence one on, and one ${factor.addedEvent} event by the caller`, async () => {
      const user = await createUser(t, org);
      const actor = api.actor(t, user);
      const previous = await lastSequence(t, user.userId);
      const response = await t.request('POST', api.path(factor, user), { token: actor.token, body: {} });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['details']);
      expectDetails(response.body.details, api.addDetails, { sequence: previous + 1, resourceOwner: org });
      const events = await storedEventsOf(t, user.userId);
      expect(events.map((e) => e.sequence)).toEqual(range(1, previous + 1));
      expect(events[events.length - 1]).toEqual({
        sequence: previous + 1,
        type: factor.addedEvent,
        creator: actor.userId,
        resourceOwner: org,
        requestId: response.headers.get('x-request-id'),
        createdAt: response.body.details.creationDate ?? response.body.details.changeDate,
        payload: {},
      });
      expect(await readModelFactors(t, user.userId)).toEqual([factor.type]);
    });

    it(`answers adding ${factor.label} twice with 409, code 6, and stores one added event`, async () => {
      const user = await createUser(t, org);
      const { token } = api.actor(t, user);
      expect((await t.request('POST', api.path(factor, user), { token, body: {} })).status).toBe(200);
      const before = await storedEventsOf(t, user.userId);
      expectError(await t.request('POST', api.path(factor, user), { token, body: {} }), 409, 6, factor.alreadyExistsId);
      expect(await storedEventsOf(t, user.userId)).toEqual(before);
      expect(before.filter((e) => e.type === factor.addedEvent)).toHaveLength(1);
    });

    it(`lists ${factor.label} as READY once added, and no longer once removed`, async () => {
      const user = await createUser(t, org);
      const { token } = api.actor(t, user);
      expect((await listMine(t, user)).body).toEqual({ result: [] });
      expect((await t.request('POST', api.path(factor, user), { token, body: {} })).status).toBe(200);
      expect((await listMine(t, user)).body).toEqual({ result: [{ state: READY, [factor.listKey]: {} }] });
      expect((await t.request('DELETE', api.path(factor, user), { token })).status).toBe(200);
      expect((await listMine(t, user)).body).toEqual({ result: [] });
    });

    it(`removes ${factor.label}: 200 with details {${api.removeDetails.join(', ')}}, sequence one on, and one ${factor.removedEvent} event by the caller`, async () => {
      const user = await createUser(t, org);
      const actor = api.actor(t, user);
      await configure(t, user, factor);
      const previous = await lastSequence(t, user.userId);
      const response = await t.request('DELETE', api.path(factor, user), { token: actor.token });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['details']);
      expectDetails(response.body.details, api.removeDetails, { sequence: previous + 1, resourceOwner: org });
      const events = await storedEventsOf(t, user.userId);
      expect(events.map((e) => e.sequence)).toEqual(range(1, previous + 1));
      expect(events[events.length - 1]).toEqual({
        sequence: previous + 1,
        type: factor.removedEvent,
        creator: actor.userId,
        resourceOwner: org,
        requestId: response.headers.get('x-request-id'),
        createdAt: response.body.details.changeDate,
        payload: {},
      });
      expect(await readModelFactors(t, user.userId)).toEqual([]);
    });

    it(`answers removing ${factor.label} a second time with 404 (${factor.notConfiguredId}) and stores one removal event`, async () => {
      const user = await createUser(t, org);
      const { token } = api.actor(t, user);
      await configure(t, user, factor);
      expect((await t.request('DELETE', api.path(factor, user), { token })).status).toBe(200);
      const before = await storedEventsOf(t, user.userId);
      expectError(await t.request('DELETE', api.path(factor, user), { token }), 404, 5, factor.notConfiguredId);
      expect(await storedEventsOf(t, user.userId)).toEqual(before);
      expect(before.filter((e) => e.type === factor.removedEvent)).toHaveLength(1);
    });

    it(`leaves the other factor alone when adding and removing ${factor.label}`, async () => {
      const user = await createUser(t, org);
      const other = FACTORS.find((f) => f !== factor)!;
      await configure(t, user, other);
      const { token } = api.actor(t, user);
      expect((await t.request('POST', api.path(factor, user), { token, body: {} })).status).toBe(200);
      expect(await readModelFactors(t, user.userId)).toEqual([factor.type, other.type].sort());
      expect((await t.request('DELETE', api.path(factor, user), { token })).status).toBe(200);
      expect(await readModelFactors(t, user.userId)).toEqual([other.type]);
      expect((await listMine(t, user)).body).toEqual({ result: [{ state: READY, [other.listKey]: {} }] });
    });
  });

  // -------------------------------------------------------------------------
  describe('v2 permissions', () => {
    interface Operation {
      readonly name: 'add' | 'remove';
      readonly method: 'POST' | 'DELETE';
      readonly permission: string;
      /** Puts the target in the state where the operation can succeed. */
      prepare(target: TestUser, factor: FactorCase): Promise<void>;
      /** The target's factors after a success. */
      readonly factorsAfterSuccess: (factor: FactorCase) => AuthFactorType[];
    }

    const OPERATIONS: readonly Operation[] = [
      { name: 'add', method: 'POST', permission: 'user.credential.write', prepare: async () => undefined, factorsAfterSuccess: (f) => [f.type] },
      { name: 'remove', method: 'DELETE', permission: 'user.write', prepare: (target, f) => configure(t, target, f), factorsAfterSuccess: () => [] },
    ];

    let org: string;
    let otherOrg: string;
    let userManager: TestUser;
    let projectCreator: TestUser;
    let otherOrgOwner: TestUser;

    beforeAll(async () => {
      org = await createOrganization(t);
      otherOrg = await createOrganization(t);
      userManager = await createUser(t, org);
      await grantRoles(t, org, userManager.userId, ['ORG_USER_MANAGER']);
      projectCreator = await createUser(t, org);
      await grantRoles(t, org, projectCreator.userId, ['ORG_PROJECT_CREATOR']);
      otherOrgOwner = await createUser(t, otherOrg);
      await grantRoles(t, otherOrg, otherOrgOwner.userId, ['ORG_OWNER']);
    });

    interface Actor {
      readonly name: string;
      token(target: TestUser): string | undefined;
      /** undefined: succeeds. */
      readonly denied?: { status: number; code: number; id: string };
    }

    const ACTORS: readonly Actor[] = [
      { name: 'the user themselves', token: (target) => target.token },
      { name: 'an ORG_USER_MANAGER of the same organization', token: () => userManager.token },
      { name: 'an IAM_OWNER', token: () => t.adminToken },
      { name: 'an ORG_PROJECT_CREATOR of the same organization', token: () => projectCreator.token, denied: { status: 403, code: 7, id: 'AUTHF-PERM-403' } },
      { name: 'an anonymous caller', token: () => undefined, denied: { status: 401, code: 16, id: expect.any(String) } },
    ];

    const CASES = FACTORS.flatMap((factor) => OPERATIONS.map((operation) => ({ factor, operation })));

    describe.each(CASES.map((c) => [`${c.operation.name} ${c.factor.label}`, c] as const))('%s', (_name, { factor, operation }) => {
      const path = (userId: string) => `/v2/users/${userId}/${factor.type}`;
      const send = (userId: string, token: string | undefined) =>
        t.request(operation.method, path(userId), { token, body: operation.method === 'POST' ? {} : undefined });

      it.each(ACTORS.map((a) => [a.name, a] as const))(`by %s`, async (_actorName, actor) => {
        const target = await createUser(t, org);
        await operation.prepare(target, factor);
        const factorsBefore = await readModelFactors(t, target.userId);
        const eventsBefore = await storedEventsOf(t, target.userId);
        const response = await send(target.userId, actor.token(target));
        if (actor.denied) {
          const body = expectError(response, actor.denied.status, actor.denied.code, actor.denied.id);
          if (actor.denied.code === 7) expect(body.details[0].message).toContain(operation.permission);
          expect(await readModelFactors(t, target.userId)).toEqual(factorsBefore);
          expect(await storedEventsOf(t, target.userId)).toEqual(eventsBefore);
        } else {
          expect({ status: response.status, body: response.body }).toMatchObject({
            status: 200,
            body: { details: { sequence: String(eventsBefore.length + 1) } },
          });
          expect(await readModelFactors(t, target.userId)).toEqual(operation.factorsAfterSuccess(factor));
        }
      });

      it('answers an ORG_OWNER of another organization and a nonexistent user id with byte-identical 404 bodies', async () => {
        const target = await createUser(t, org);
        await operation.prepare(target, factor);
        const eventsBefore = await storedEventsOf(t, target.userId);
        const raw = async (userId: string) => {
          const response = await fetch(`${t.url}${path(userId)}`, {
            method: operation.method,
            headers: { authorization: `Bearer ${otherOrgOwner.token}`, 'content-type': 'application/json' },
            body: operation.method === 'POST' ? '{}' : undefined,
          });
          return { status: response.status, text: await response.text() };
        };
        const foreign = await raw(target.userId);
        const missing = await raw(`9${Date.now()}${randomInt(1e9)}`);
        expect(foreign.status).toBe(404);
        expect(missing.status).toBe(404);
        expect(foreign.text).toBe(missing.text);
        expect(JSON.parse(foreign.text)).toMatchObject({ code: 5, details: [{ id: 'AUTHF-USER-404' }] });
        expect(await storedEventsOf(t, target.userId)).toEqual(eventsBefore);
      });

      it('answers a userId of 201 characters with 400, code 3 (and accepts 200 characters as a well-formed unknown id: 404)', async () => {
        expectError(await send('1'.repeat(201), t.adminToken), 400, 3, 'AUTHF-USER-400');
        expectError(await send('1'.repeat(200), t.adminToken), 404, 5, 'AUTHF-USER-404');
      });
    });
  });

  // -------------------------------------------------------------------------
  describe('concurrency', () => {
    let org: string;
    beforeAll(async () => {
      org = await createOrganization(t);
    });

    interface Burst {
      readonly name: string;
      readonly method: 'POST' | 'DELETE';
      readonly n: number;
      readonly prepare: (user: TestUser, factor: FactorCase) => Promise<void>;
      readonly loserStatus: number;
      readonly event: (factor: FactorCase) => string;
    }

    const BURSTS: readonly Burst[] = [
      { name: 'removals', method: 'DELETE', n: 50, prepare: (user, factor) => configure(t, user, factor), loserStatus: 404, event: (f) => f.removedEvent },
      { name: 'adds', method: 'POST', n: 20, prepare: async () => undefined, loserStatus: 409, event: (f) => f.addedEvent },
    ];

    const CASES = FACTORS.flatMap((factor) => BURSTS.map((burst) => ({ factor, burst })));

    it.each(CASES.map((c) => [c.burst.n, c.factor.label, c.burst.name, c] as const))(
      '%d concurrent %s %s of one user: exactly one 200, the rest rejected, one event, gapless sequences',
      async (_n, _label, _name, { factor, burst }) => {
        const user = await createUser(t, org);
        await burst.prepare(user, factor);
        const before = await lastSequence(t, user.userId);
        const responses = await Promise.all(
          Array.from({ length: burst.n }, () =>
            t.request(burst.method, `/v2/users/${user.userId}/${factor.type}`, { token: t.adminToken, body: burst.method === 'POST' ? {} : undefined }),
          ),
        );
        const statuses = countBy(responses.map((r) => r.status));
        expect(Object.fromEntries(statuses)).toEqual({ 200: 1, [burst.loserStatus]: burst.n - 1 });
        const winner = responses.find((r) => r.status === 200)!;
        expect(winner.body.details.sequence).toBe(String(before + 1));
        for (const loser of responses.filter((r) => r.status !== 200)) expectError(loser, burst.loserStatus, burst.loserStatus === 404 ? 5 : 6);
        const events = await storedEventsOf(t, user.userId);
        expect(events.filter((e) => e.type === burst.event(factor))).toHaveLength(1);
        expect(events.map((e) => e.sequence)).toEqual(range(1, before + 1));
        expect(await streamSequence(t, user.userId)).toBe(before + 1);
        expect(await readModelFactors(t, user.userId)).toEqual(burst.method === 'POST' ? [factor.type] : []);
      },
    );
  });

  // -------------------------------------------------------------------------
  describe('removing the phone', () => {
    let org: string;
    beforeAll(async () => {
      org = await createOrganization(t);
    });

    it('removes OTP SMS with it in one request: otp.sms.removed then phone.removed, consecutive sequences, one request id', async () => {
      const user = await createUser(t, org);
      await configure(t, user, OTP_SMS);
      await configure(t, user, OTP_EMAIL);
      const previous = await lastSequence(t, user.userId);
      const response = await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: t.adminToken });
      expect(response.status).toBe(200);
      expect(response.body.details).toMatchObject({ sequence: String(previous + 2), resourceOwner: org });
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      const events = await storedEventsOf(t, user.userId);
      expect(events.map((e) => e.sequence)).toEqual(range(1, previous + 2));
      expect(events.slice(-2)).toEqual([
        expect.objectContaining({ sequence: previous + 1, type: OTP_SMS.removedEvent, creator: t.bootstrapped.adminId, requestId }),
        expect.objectContaining({ sequence: previous + 2, type: PHONE_REMOVED, creator: t.bootstrapped.adminId, requestId }),
      ]);
      expect(events[events.length - 1].createdAt).toBe(events[events.length - 2].createdAt);
      expect((await listMine(t, user)).body).toEqual({ result: [{ state: READY, otpEmail: {} }] });
      expect(await readModelFactors(t, user.userId)).toEqual([OTP_EMAIL.type]);
      // And with the phone gone, OTP SMS cannot come back.
      expectError(await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, body: {} }), 400, 9, OTP_SMS.preconditionId);
    });

    it('writes only phone.removed when the user has no OTP SMS', async () => {
      const user = await createUser(t, org);
      const previous = await lastSequence(t, user.userId);
      const response = await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: user.token });
      expect(response.status).toBe(200);
      expect(response.body.details.sequence).toBe(String(previous + 1));
      expect((await storedEventsOf(t, user.userId)).slice(previous).map((e) => e.type)).toEqual([PHONE_REMOVED]);
    });
  });

  // -------------------------------------------------------------------------
  describe('replay consistency', () => {
    interface Model {
      phone: boolean;
      phoneVerified: boolean;
      emailVerified: boolean;
      readonly factors: Set<AuthFactorType>;
    }

    interface Step {
      readonly name: string;
      /** Sends the request; returns the status the model predicts and applies it on success. */
      run(user: TestUser, model: Model): Promise<{ status: number; expected: number }>;
    }

    /** A small seeded generator (mulberry32), so that a failure can be replayed. */
    function seeded(seed: number): () => number {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = Math.imul(a ^ (a >>> 15), 1 | a);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
    }

    const verifiedFor = (factor: FactorCase, model: Model) => (factor === OTP_SMS ? model.phone && model.phoneVerified : model.emailVerified);

    function factorSteps(factor: FactorCase, api: ApiCase): Step[] {
      return [
        {
          name: `add ${factor.label} (${api.name})`,
          async run(user, model) {
            const expected = !verifiedFor(factor, model) ? 400 : model.factors.has(factor.type) ? 409 : 200;
            const { status } = await t.request('POST', api.path(factor, user), { token: api.actor(t, user).token, body: {} });
            if (status === 200) model.factors.add(factor.type);
            return { status, expected };
          },
        },
        {
          name: `remove ${factor.label} (${api.name})`,
          async run(user, model) {
            const expected = model.factors.has(factor.type) ? 200 : 404;
            const { status } = await t.request('DELETE', api.path(factor, user), { token: api.actor(t, user).token });
            if (status === 200) model.factors.delete(factor.type);
            return { status, expected };
          },
        },
      ];
    }

    let channelCounter = 0;
    const channelSteps: Step[] = [
      {
        name: 'remove the phone',
        async run(user, model) {
          const expected = model.phone ? 200 : 404;
          const { status } = await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: t.adminToken });
          if (status === 200) {
            model.phone = false;
            model.phoneVerified = false;
            model.factors.delete('otp_sms');
          }
          return { status, expected };
        },
      },
      ...[true, false].map((isVerified): Step => ({
        name: `set a new ${isVerified ? 'verified' : 'unverified'} phone`,
        async run(user, model) {
          const phone = `+4178${String(1000000 + ++channelCounter).slice(-7)}`;
          const { status } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: t.adminToken, body: { phone, isVerified } });
          if (status === 200) {
            model.phone = true;
            model.phoneVerified = isVerified;
          }
          return { status, expected: 200 };
        },
      })),
      ...[true, false].map((isVerified): Step => ({
        name: `set a new ${isVerified ? 'verified' : 'unverified'} e-mail address`,
        async run(user, model) {
          const email = `replay${++channelCounter}@example.com`;
          const { status } = await t.request('POST', `/v2/users/${user.userId}/email`, { token: t.adminToken, body: { email, isVerified } });
          if (status === 200) model.emailVerified = isVerified;
          return { status, expected: 200 };
        },
      })),
    ];

    const STEPS: readonly Step[] = [...FACTORS.flatMap((factor) => [V1, V2].flatMap((api) => factorSteps(factor, api))), ...channelSteps];

    it('after 60 random operations on 3 users, replaying each user’s events gives exactly the factors in the read model', async () => {
      const seed = Number(process.env.REPLAY_SEED ?? randomInt(2 ** 31));
      const random = seeded(seed);
      const org = await createOrganization(t);
      const users = await Promise.all([
        createUser(t, org),
        createUser(t, org, { phoneVerified: false }),
        createUser(t, org, { emailVerified: false, phone: null }),
      ]);
      const models: Model[] = [
        { phone: true, phoneVerified: true, emailVerified: true, factors: new Set() },
        { phone: true, phoneVerified: false, emailVerified: true, factors: new Set() },
        { phone: false, phoneVerified: false, emailVerified: false, factors: new Set() },
      ];
      const log: string[] = [];
      for (let i = 0; i < 60; i++) {
        const u = Math.floor(random() * users.length);
        const step = STEPS[Math.floor(random() * STEPS.length)];
        const { status, expected } = await step.run(users[u], models[u]);
        log.push(`${i}: user ${u} ${step.name} -> ${status}`);
        expect({ seed, step: i, user: u, operation: step.name, status }).toEqual({ seed, step: i, user: u, operation: step.name, status: expected });
      }
      const succeeded = log.filter((line) => line.endsWith('200')).length;
      expect(succeeded).toBeGreaterThan(10); // the mix really changed things
      for (const [u, user] of users.entries()) {
        const events = await storedEventsOf(t, user.userId);
        const replayed = [...replayAuthFactors(events)].sort();
        const stored = await readModelFactors(t, user.userId);
        expect({ seed, user: u, replayed, stored, model: [...models[u].factors].sort() }).toEqual({ seed, user: u, replayed: stored, stored, model: stored });
        expect(events.map((e) => e.sequence)).toEqual(range(1, events.length));
      }
    });
  });
});
