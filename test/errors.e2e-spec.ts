import { UserEntity } from '../src/users/entities/user.entity';
import { createOrganization, createUser, eventsOf, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ErrorBody {
  code: number;
  message: string;
  details: { '@type': string; id: string; message: string }[];
}

/** Asserts the one error body of the contract (section 3) and returns it. */
function expectErrorBody(response: ApiResponse, status: number, code: number, id?: string): ErrorBody {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { code } });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = response.body as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'message']);
  expect(body.details).toHaveLength(1);
  const [detail] = body.details;
  expect(Object.keys(detail).sort()).toEqual(['@type', 'id', 'message']);
  expect(detail['@type']).toBe(ERROR_DETAIL_TYPE);
  expect(detail.id).toMatch(/^AUTHF-[A-Z0-9-]+$/);
  expect(detail.message.length).toBeGreaterThan(0);
  expect(body.message).toBe(`${detail.message} (${detail.id})`);
  if (id !== undefined) expect(detail.id).toBe(id);
  return body;
}

describe('error responses', () => {
  let t: TestApp;
  let org: string;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t);
    user = await createUser(t, org);
  });
  afterAll(() => t.close());

  it('answers a domain error (removing an OTP SMS that is not configured) with 404, code 5 and its stable id AUTHF-SMS-404', async () => {
    const before = await eventsOf(t, user.userId);
    const response = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
    const body = expectErrorBody(response, 404, 5, 'AUTHF-SMS-404');
    expect(body.details[0].message).toMatch(/OTP SMS/);
    expect(await eventsOf(t, user.userId)).toEqual(before);
  });

  it('answers an unknown route with 404, code 5 in the error body', async () => {
    const response = await t.request('GET', '/v2/no/such/route', { token: t.adminToken });
    expectErrorBody(response, 404, 5, 'AUTHF-ROUTE-404');
  });

  it('answers an unknown route with 404 code 5 even without a token (routing before authentication)', async () => {
    const response = await t.request('POST', '/nothing-here');
    expectErrorBody(response, 404, 5);
  });

  it('answers a wrong method on a known path (PUT /v2/users/1/otp_sms) with 405 and code 12', async () => {
    const response = await t.request('PUT', '/v2/users/1/otp_sms', { token: t.adminToken, body: {} });
    expectErrorBody(response, 405, 12, 'AUTHF-ROUTE-405');
  });

  it('answers a malformed JSON body with 400 and code 3', async () => {
    const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body: '{"username": "x",' });
    expectErrorBody(response, 400, 3, 'AUTHF-REQ-JSON');
  });

  it('refuses a body over 1 MiB with a 4xx error body, code 3, and stores nothing', async () => {
    const before = await t.dataSource.getRepository(UserEntity).count();
    const body = JSON.stringify({
      username: 'too-large',
      organization: { orgId: org },
      profile: { givenName: 'Big', familyName: 'x'.repeat(1024 * 1024 + 16) },
    });
    const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expectErrorBody(response, response.status, 3, 'AUTHF-REQ-SIZE');
    expect(await t.dataSource.getRepository(UserEntity).count()).toBe(before);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'refuses a %s body with a 4xx error body, code 3, before the command runs (nothing stored)',
    async (contentType) => {
      const before = await eventsOf(t, user.userId);
      const response = await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', {
        token: user.token,
        body: '{}',
        headers: { 'content-type': contentType },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectErrorBody(response, response.status, 3, 'AUTHF-REQ-TYPE');
      expect(await eventsOf(t, user.userId)).toEqual(before);
    },
  );

  it('answers a validation error with 400, code 3 and a message naming the field (phone)', async () => {
    const response = await t.request('POST', '/v2/users/human', {
      token: t.adminToken,
      body: {
        username: 'bad-phone',
        organization: { orgId: org },
        profile: { givenName: 'Bad', familyName: 'Phone' },
        phone: { phone: 'not a phone number', isVerified: true },
      },
    });
    const body = expectErrorBody(response, 400, 3);
    expect(body.message).toMatch(/phone/i);
    expect(body.details[0].message).toMatch(/phone/i);
  });

  it('returns a generated x-request-id on every response, success or error', async () => {
    const ok = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
    const failed = await t.request('GET', '/v2/no/such/route');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toMatch(UUID);
    expect(failed.headers.get('x-request-id')).toMatch(UUID);
    expect(ok.headers.get('x-request-id')).not.toBe(failed.headers.get('x-request-id'));
  });

  it('echoes the x-request-id the client sends', async () => {
    const requestId = `client-${Date.now()}`;
    const response = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, headers: { 'x-request-id': requestId } });
    expectErrorBody(response, 404, 5);
    expect(response.headers.get('x-request-id')).toBe(requestId);
  });
});

describe('internal errors', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // An instance of its own: the test breaks its schema.
    t = await startTestApp();
    user = await createUser(t, await createOrganization(t));
    const runner = t.dataSource.createQueryRunner();
    await runner.dropTable('auth_factors');
    await runner.release();
  });
  afterAll(() => t.close());

  it('answers a database failure with 500, code 13 and a generic message naming the request id, leaking nothing', async () => {
    const requestId = `internal-${Date.now()}`;
    const response = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', {
      token: user.token,
      body: {},
      headers: { 'x-request-id': requestId },
    });
    const body = expectErrorBody(response, 500, 13, 'AUTHF-SVC-500');
    expect(response.headers.get('x-request-id')).toBe(requestId);
    expect(body.details[0].message).toBe(`Internal error (request ${requestId})`);
    const text = JSON.stringify(body);
    for (const leak of ['auth_factors', 'relation', 'does not exist', 'QueryFailedError', 'SELECT', '42P01', 'at ', '.ts']) {
      expect(text).not.toContain(leak);
    }
  });

  it('names the generated request id in the generic message when the client sent none', async () => {
    const response = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
    const body = expectErrorBody(response, 500, 13, 'AUTHF-SVC-500');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    expect(body.details[0].message).toBe(`Internal error (request ${requestId})`);
  });
});
