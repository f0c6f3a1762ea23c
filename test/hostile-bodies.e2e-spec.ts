import { UserEntity } from '../src/users/entities/user.entity';
import { createOrganization, createUser, storedFactorTypes, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';

function expectInvalidArgument(response: ApiResponse, id: string): void {
  expect({ status: response.status, code: response.body?.code, details: response.body?.details }).toEqual({
    status: 400,
    code: 3,
    details: [{ '@type': ERROR_DETAIL_TYPE, id, message: expect.any(String) }],
  });
}

/** Polls /healthz back to back while `work` runs; resolves with work's result and the slowest /healthz answer in ms. */
async function withHealthProbe<T>(t: TestApp, work: () => Promise<T>): Promise<{ result: T; slowestHealthzMs: number; probes: number }> {
  let done = false;
  let slowest = 0;
  let probes = 0;
  const probe = (async () => {
    while (!done) {
      const startedAt = performance.now();
      const response = await fetch(`${t.url}/healthz`);
      await response.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - startedAt);
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    return { result: await work(), slowestHealthzMs: slowest, probes };
  } finally {
    done = true;
    await probe;
  }
}

describe('hostile request bodies', () => {
  let t: TestApp;
  let org: string;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t);
    user = await createUser(t, org);
  });
  afterAll(() => t.close());

  const humanUser = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ username: `u-${Date.now()}-${Math.random()}`, organization: { orgId: org }, profile: { givenName: 'A', familyName: 'B' }, ...overrides });
  const usersNamed = async (familyName: string): Promise<number> => t.dataSource.getRepository(UserEntity).countBy({ familyName });

  it('refuses a megabyte of nested arrays from a signed-in user in milliseconds (400 AUTHF-REQ-DEPTH), /healthz answering meanwhile', async () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const { result, slowestHealthzMs, probes } = await withHealthProbe(t, async () => {
      const startedAt = performance.now();
      const response = await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: deep });
      return { response, ms: performance.now() - startedAt };
    });
    expectInvalidArgument(result.response, 'AUTHF-REQ-DEPTH');
    expect(result.ms).toBeLessThan(500);
    expect(probes).toBeGreaterThan(0);
    expect(slowestHealthzMs).toBeLessThan(100);
    expect(await storedFactorTypes(t, user.userId)).toEqual([]);
  });

  it('refuses nested objects inside a valid field just the same, counts no brackets inside strings, and accepts the nesting the API needs', async () => {
    const nested = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
    expectInvalidArgument(
      await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUser({ profile: JSON.parse(nested) }) }),
      'AUTHF-REQ-DEPTH',
    );
    // Brackets inside a string are text, not nesting: the name is refused by the DTO's length rule, not by depth.
    const bracketsInText = await t.request('POST', '/v2/users/human', {
      token: t.adminToken,
      body: humanUser({ profile: { givenName: '[['.repeat(150), familyName: 'B' } }),
    });
    expectInvalidArgument(bracketsInText, 'AUTHF-REQ-400');
    // An escaped quote does not end a string: the brackets after it still count as text.
    const escapedQuote = await t.request('POST', '/v2/users/human', {
      token: t.adminToken,
      body: humanUser({ profile: { givenName: `\\"${'{'.repeat(60)}`, familyName: 'Escaped' } }),
    });
    expect(escapedQuote.status).toBe(200);
  });

  it.each([
    ['a lone high surrogate', String.raw`a\ud800`],
    ['a lone low surrogate', String.raw`\udc00b`],
    ['a NUL character', String.raw`a\u0000b`],
  ])('refuses %s in a name with 400 AUTHF-REQ-TEXT and stores nothing', async (_what, escaped) => {
    const familyName = `Unstorable ${Date.now()}`;
    const body = humanUser({ profile: { givenName: '__NAME__', familyName } }).replace('__NAME__', escaped);
    expectInvalidArgument(await t.request('POST', '/v2/users/human', { token: t.adminToken, body }), 'AUTHF-REQ-TEXT');
    expect(await usersNamed(familyName)).toBe(0);
  });

  it('refuses a lone surrogate in a key, and over Connect JSON too (400 / invalid_argument, AUTHF-REQ-TEXT)', async () => {
    expectInvalidArgument(
      await t.request('POST', '/v2/users/human', { token: t.adminToken, body: humanUser().replace('"username"', String.raw`"x\ud800":1,"username"`) }),
      'AUTHF-REQ-TEXT',
    );
    const familyName = `Connect ${Date.now()}`;
    const body = humanUser({ profile: { givenName: '__NAME__', familyName } }).replace('__NAME__', String.raw`a\ud800`);
    const connect = await fetch(`${t.url}/zitadel.user.v2.UserService/AddHumanUser`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body, // the REST body is also AddHumanUserRequest's JSON form
    });
    const answer = (await connect.json()) as { code?: string; details?: unknown };
    expect({ status: connect.status, code: answer.code }).toEqual({ status: 400, code: 'invalid_argument' });
    expect(await usersNamed(familyName)).toBe(0);
  });

  it.each([
    ['CR and LF in a quoted local part', '"a\r\nRCPT TO:<x@evil.example>"@example.com'],
    ['a tab in a quoted local part', '"a\tb"@example.com'],
  ])('refuses an e-mail address with %s (400) and stores nothing', async (_what, email) => {
    const familyName = `Mail ${Date.now()}`;
    const response = await t.request('POST', '/v2/users/human', {
      token: t.adminToken,
      body: humanUser({ profile: { givenName: 'A', familyName }, email: { email, isVerified: true } }),
    });
    expectInvalidArgument(response, 'AUTHF-REQ-400');
    expect(response.body.details[0].message).toContain('email must not contain control characters');
    expect(await usersNamed(familyName)).toBe(0);
  });
});
