import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimitCounterEntity } from '../src/rate-limit/entities/rate-limit-counter.entity';
import { createOrganization, createUser, eventsOf, grantRoles, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-postgres';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const V1 = '/auth/v1/users/me/auth_factors';

/** The 429 of the factor rate limit: code 8, its stable id, and a Retry-After within the window. */
function expectRateLimited(response: ApiResponse, windowSeconds: number): number {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 429,
    body: {
      code: 8,
      message: `${response.body?.details?.[0]?.message} (AUTHF-RATE-429)`,
      details: [{ '@type': ERROR_DETAIL_TYPE, id: 'AUTHF-RATE-429', message: expect.stringContaining('Too many') }],
    },
  });
  const retryAfter = response.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
  return Number(retryAfter);
}

describe('factor rate limit (FACTOR_RATE_LIMIT=3 per 60 s)', () => {
  let t: TestApp;
  let org: string;

  beforeAll(async () => {
    t = await startTestApp({ FACTOR_RATE_LIMIT: '3', FACTOR_RATE_WINDOW_SECONDS: '60' });
    org = await createOrganization(t);
  });
  afterAll(() => t.close());

  it('lets an acting user make 3 factor changes (v1 and v2 alike), then answers 429 code 8 with Retry-After and stores nothing', async () => {
    const user = await createUser(t, org);
    expect((await t.request('POST', `${V1}/otp_sms`, { token: user.token, body: {} })).status).toBe(200);
    expect((await t.request('DELETE', `${V1}/otp_sms`, { token: user.token })).status).toBe(200);
    expect((await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: user.token, body: {} })).status).toBe(200);
    const before = await eventsOf(t, user.userId);

    for (const [method, path] of [
      ['POST', `${V1}/otp_sms`],
      ['DELETE', `${V1}/otp_email`],
      ['POST', `/v2/users/${user.userId}/otp_sms`],
      ['DELETE', `/v2/users/${user.userId}/otp_email`],
    ] as const) {
      expectRateLimited(await t.request(method, path, { token: user.token, body: method === 'POST' ? {} : undefined }), 60);
    }

    expect(await eventsOf(t, user.userId)).toEqual(before);
    const factors = await t.request('POST', `${V1}/_search`, { token: user.token, body: {} });
    expect(factors.status).toBe(200); // reads are not limited
    expect(factors.body.result).toEqual([{ state: 'AUTH_FACTOR_STATE_READY', otpEmail: {} }]);
    // The channels the factors send to count against the same limit: a phone or e-mail change is a factor change.
    expectRateLimited(await t.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone: '+41790000001' } }), 60);
    expectRateLimited(await t.request('POST', `/v2/users/${user.userId}/email`, { token: user.token, body: { email: 'new@example.com' } }), 60);
    expectRateLimited(await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: user.token }), 60);
    expectRateLimited(await t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: 'ABC123' } }), 60);
    expect(await eventsOf(t, user.userId)).toEqual(before);
  });

  it('counts per acting user: a manager acting on many users is limited as one, the users themselves are not', async () => {
    const manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    const targets: TestUser[] = await Promise.all([1, 2, 3, 4].map(() => createUser(t, org)));
    const statuses: number[] = [];
    for (const target of targets) {
      statuses.push((await t.request('POST', `/v2/users/${target.userId}/otp_sms`, { token: manager.token, body: {} })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await t.request('POST', `${V1}/otp_sms`, { token: targets[3].token, body: {} })).status).toBe(200);
  });

  it('counts refused attempts too (404, 409), so probing is limited as well', async () => {
    const user = await createUser(t, org);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.request('DELETE', `${V1}/otp_sms`, { token: user.token })).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });

  it('limits the RPCs too (Connect): the same counter, code resource_exhausted with the same error id', async () => {
    const user = await createUser(t, org);
    const call = (method: string) =>
      fetch(`${t.url}/zitadel.auth.v1.AuthService/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    for (let i = 0; i < 3; i++) expect((await t.request('POST', `${V1}/otp_email`, { token: user.token, body: {} })).status).toBeLessThan(429);
    const response = await call('AddMyAuthFactorOTPSMS');
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('resource_exhausted');
    expect(body.message).toContain('AUTHF-RATE-429');
  });

  it('allows 20 concurrent attempts by one user exactly 3 times: the counter is atomic', async () => {
    const user = await createUser(t, org);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.request('DELETE', `${V1}/${i % 2 ? 'otp_sms' : 'otp_email'}`, { token: user.token })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });
});

describe('factor rate limit: the window', () => {
  it('lets the user act again once Retry-After has passed (1 per 2 s)', async () => {
    const t = await startTestApp({ FACTOR_RATE_LIMIT: '1', FACTOR_RATE_WINDOW_SECONDS: '2' });
    try {
      const user = await createUser(t, await createOrganization(t));
      // Start at the beginning of a window, so that the second call surely falls into the same one.
      await new Promise((resolve) => setTimeout(resolve, 2000 - (Date.now() % 2000) + 50));
      expect((await t.request('POST', `${V1}/otp_sms`, { token: user.token, body: {} })).status).toBe(200);
      const limited = await t.request('DELETE', `${V1}/otp_sms`, { token: user.token });
      const retryAfter = expectRateLimited(limited, 2);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
      expect((await t.request('DELETE', `${V1}/otp_sms`, { token: user.token })).status).toBe(200);
      // Past windows are dropped as the subject's counter moves on: one row per subject.
      expect(await t.dataSource.getRepository(RateLimitCounterEntity).countBy({ subject: `factor-mutation:${user.userId}` })).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('factor rate limit across two instances sharing one database', () => {
  it('holds the limit over both: 3 changes in total, whichever instance serves them, then 429 on both', async () => {
    // One deployment: one database and one signing key.
    const env = { DATABASE_URL: await createTestDatabase(), DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-factors-rate-')), FACTOR_RATE_LIMIT: '3' };
    const a = await startTestApp(env);
    const b = await startTestApp(env);
    try {
      const user = await createUser(a, await createOrganization(a));
      const sequence = [a, b, a, b, a];
      const statuses: number[] = [];
      for (const [i, app] of sequence.entries()) {
        const method = i % 2 === 0 ? 'POST' : 'DELETE';
        statuses.push((await app.request(method, `${V1}/otp_sms`, { token: user.token, body: method === 'POST' ? {} : undefined })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      console.log(`rate limit across 2 instances: statuses ${statuses.join(',')} (limit 3 per 60 s)`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
