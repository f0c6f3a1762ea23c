import type { ConnectError } from '@connectrpc/connect' with { 'resolution-mode': 'import' };
import { createOrganization, createUser, eventsOf, grantRoles, TestUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { PROTOCOLS, ZitadelClients } from './support/zitadel-clients';

let t: TestApp;
let clients: ZitadelClients;
let org: string;
let reader: TestUser;
let projectCreator: TestUser;

const errorId = (body: any): string => body.details[0].id;
const failure = (call: Promise<unknown>): Promise<ConnectError> => clients.failure(call);

/** A user with OTP SMS (added first) and OTP Email. */
async function userWithBothFactors(): Promise<TestUser> {
  const user = await createUser(t, org);
  for (const type of ['otp_sms', 'otp_email']) {
    expect((await t.request('POST', `/v2/users/${user.userId}/${type}`, { token: t.adminToken, body: {} })).status).toBe(200);
  }
  return user;
}

beforeAll(async () => {
  t = await startTestApp();
  clients = await ZitadelClients.load(t);
  org = await createOrganization(t);
  reader = await createUser(t, org);
  projectCreator = await createUser(t, org);
  await grantRoles(t, org, reader.userId, ['ORG_USER_MANAGER']);
  await grantRoles(t, org, projectCreator.userId, ['ORG_PROJECT_CREATOR']);
});

afterAll(async () => {
  clients?.close();
  await t?.close();
});

describe('ListAuthenticationMethodTypes and ListAuthenticationFactors over REST', () => {
  it("GET /v2/users/{id}/authentication_methods: the user's methods, with list details at the user's sequence", async () => {
    const user = await userWithBothFactors();
    const sequence = (await eventsOf(t, user.userId)).length;
    const response = await t.request('GET', `/v2/users/${user.userId}/authentication_methods`, { token: reader.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      details: { totalResult: '2', processedSequence: String(sequence), timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
      authMethodTypes: ['AUTHENTICATION_METHOD_TYPE_OTP_SMS', 'AUTHENTICATION_METHOD_TYPE_OTP_EMAIL'],
    });
    const none = await createUser(t, org);
    const empty = await t.request('GET', `/v2/users/${none.userId}/authentication_methods?domainQuery.includeWithoutDomain=true`, { token: reader.token });
    expect(empty.body).toMatchObject({ details: { totalResult: '0' }, authMethodTypes: [] });
  });

  it('POST /v2/users/{id}/authentication_factors/_search: all ready factors, or those of the types and states asked for', async () => {
    const user = await userWithBothFactors();
    const search = (body?: unknown) => t.request('POST', `/v2/users/${user.userId}/authentication_factors/_search`, { token: reader.token, body });
    const both = [
      { state: 'AUTH_FACTOR_STATE_READY', otpSms: {} },
      { state: 'AUTH_FACTOR_STATE_READY', otpEmail: {} },
    ];
    expect((await search()).body).toEqual({ result: both });
    expect((await search({})).body).toEqual({ result: both });
    expect((await search({ authFactors: ['OTP_EMAIL'] })).body).toEqual({ result: [both[1]] });
    expect((await search({ authFactors: ['OTP', 'U2F'] })).body).toEqual({ result: [] });
    expect((await search({ states: ['AUTH_FACTOR_STATE_NOT_READY'] })).body).toEqual({ result: [] });
    expect((await search({ authFactors: ['OTP_SMS'], states: ['AUTH_FACTOR_STATE_READY'] })).body).toEqual({ result: [both[0]] });
    const bad = await search({ authFactors: ['SMS'] });
    expect([bad.status, bad.body.code]).toEqual([400, 3]);
  });

  it('needs user.read on another user (403 with a role without it, 404 from nowhere); the user may always list their own', async () => {
    const user = await userWithBothFactors();
    for (const [method, path] of [
      ['GET', 'authentication_methods'],
      ['POST', 'authentication_factors/_search'],
    ]) {
      const denied = await t.request(method, `/v2/users/${user.userId}/${path}`, { token: projectCreator.token });
      expect([denied.status, denied.body.code, errorId(denied.body)]).toEqual([403, 7, 'AUTHF-PERM-403']);
      const stranger = await createUser(t, await createOrganization(t));
      const hidden = await t.request(method, `/v2/users/${user.userId}/${path}`, { token: stranger.token });
      const missing = await t.request(method, `/v2/users/no-such-user/${path}`, { token: reader.token });
      expect([hidden.status, hidden.body]).toEqual([404, missing.body]);
      expect((await t.request(method, `/v2/users/${user.userId}/${path}`, { token: user.token })).status).toBe(200);
    }
  });
});

describe.each(PROTOCOLS)("ListAuthenticationMethodTypes and ListAuthenticationFactors over ZITADEL's client (%s)", (protocol) => {
  it('answers as REST does', async () => {
    const user = await userWithBothFactors();
    const client = clients.users(protocol, reader.token);
    const methods = await client.listAuthenticationMethodTypes({ userId: user.userId });
    expect(methods.authMethodTypes).toEqual([6 /* OTP_SMS */, 7 /* OTP_EMAIL */]);
    expect(methods.details).toMatchObject({ totalResult: 2n, processedSequence: BigInt((await eventsOf(t, user.userId)).length) });

    const factors = await client.listAuthenticationFactors({ userId: user.userId });
    expect(factors.result.map((factor) => [factor.state, factor.type.case])).toEqual([
      [2 /* READY */, 'otpSms'],
      [2, 'otpEmail'],
    ]);
    const onlyEmail = await client.listAuthenticationFactors({ userId: user.userId, authFactors: [2 /* OTP_EMAIL */], states: [2 /* READY */] });
    expect(onlyEmail.result.map((factor) => factor.type.case)).toEqual(['otpEmail']);
    expect((await client.listAuthenticationFactors({ userId: user.userId, states: [3 /* REMOVED */] })).result).toEqual([]);

    const denied = await failure(clients.users(protocol, projectCreator.token).listAuthenticationMethodTypes({ userId: user.userId }));
    expect([denied.code, clients.errorDetails(denied).map((d) => d.id)]).toEqual([clients.connect.Code.PermissionDenied, ['AUTHF-PERM-403']]);
  });
});
