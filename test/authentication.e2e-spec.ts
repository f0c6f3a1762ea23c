import { createOrganization, createUser, eventsOf, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const ADD_OTP_SMS = '/auth/v1/users/me/auth_factors/otp_sms';

/** Asserts a 401 with code 16 in the contract's error body. */
function expectUnauthenticated(response: ApiResponse, id: string): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 401,
    body: {
      code: 16,
      message: `${response.body?.details?.[0]?.message} (${id})`,
      details: [{ '@type': ERROR_DETAIL_TYPE, id, message: expect.any(String) }],
    },
  });
}

// Hostile tokens, over every transport alike: test/hostile-tokens.e2e-spec.ts.
describe('authentication', () => {
  let c: { t: TestApp; victim: TestUser; other: TestUser };

  beforeAll(async () => {
    const t = await startTestApp();
    const org = await createOrganization(t);
    c = { t, victim: await createUser(t, org), other: await createUser(t, org) };
  });
  afterAll(() => c.t.close());

  it('accepts a valid token: listing the own factors answers 200', async () => {
    const response = await c.t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: c.victim.token, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.result ?? []).toEqual([]);
  });

  it('accepts a valid token for a command: the same request the forgeries sent adds OTP SMS for the subject', async () => {
    const before = await eventsOf(c.t, c.other.userId);
    const response = await c.t.request('POST', ADD_OTP_SMS, { token: c.other.token, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.details.sequence).toBe(String(before.length + 1));
    const after = await eventsOf(c.t, c.other.userId);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1].creator).toBe(c.other.userId);
  });
});

describe('concurrent requests', () => {
  it('authenticates each of 24 simultaneous requests as its own caller: all answered, each event written by its own user', async () => {
    const t = await startTestApp();
    try {
      const org = await createOrganization(t);
      const users = await Promise.all(Array.from({ length: 24 }, () => createUser(t, org)));
      const responses = await Promise.all(
        users.map((u) => t.request('POST', ADD_OTP_SMS, { token: u.token, body: {} }).then((r) => ({ status: r.status, sequence: r.body?.details?.sequence }))),
      );
      expect(responses.filter((r) => r.status !== 200)).toEqual([]);
      for (const [index, user] of users.entries()) {
        const events = await eventsOf(t, user.userId);
        expect(events.at(-1)).toMatchObject({ type: 'user.human.otp.sms.added', creator: user.userId, sequence: Number(responses[index].sequence) });
      }
    } finally {
      await t.close();
    }
  });
});

describe('two applications in one process', () => {
  it('each verifies tokens with its own key: starting the second does not change what the first accepts', async () => {
    const first = await startTestApp();
    const second = await startTestApp();
    try {
      expect(first.config.dataDir).not.toBe(second.config.dataDir); // two signing keys
      const list = (t: TestApp, token: string) => t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token, body: {} });
      expect((await list(first, first.adminToken)).status).toBe(200);
      expect((await list(second, second.adminToken)).status).toBe(200);
      expectUnauthenticated(await list(first, second.adminToken), 'AUTHF-AUTH-003');
      expectUnauthenticated(await list(second, first.adminToken), 'AUTHF-AUTH-003');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
