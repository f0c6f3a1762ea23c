import type { Timestamp } from '@bufbuild/protobuf/wkt' with { 'resolution-mode': 'import' };
import type { ConnectError } from '@connectrpc/connect' with { 'resolution-mode': 'import' };
import { createOrganization, createUser, eventsOf, grantRoles, TestUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { AuthClient, Protocol, PROTOCOLS, UserClient, ZitadelClients } from './support/zitadel-clients';

const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let t: TestApp;
let clients: ZitadelClients;
let connect: ZitadelClients['connect'];

const authClient = (protocol: Protocol, token?: string): AuthClient => clients.auth(protocol, token);
const userClient = (protocol: Protocol, token?: string): UserClient => clients.users(protocol, token);
const failure = (call: Promise<unknown>): Promise<ConnectError> => clients.failure(call);

/** Code, message and ErrorDetail of a ConnectError, in the shape REST's error body has. */
function wireError(error: ConnectError): { code: number; message: string; details: { id: string; message: string }[] } {
  return { code: error.code, message: error.rawMessage, details: clients.errorDetails(error) };
}

const iso = (timestamp: Timestamp | undefined): string | undefined =>
  timestamp && new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  clients = await ZitadelClients.load(t);
  connect = clients.connect;
});

afterAll(async () => {
  clients?.close();
  await t?.close();
});

describe.each(PROTOCOLS)('ZITADEL services over %s', (protocol) => {
  let org: string;
  let manager: TestUser;
  let projectCreator: TestUser;

  beforeAll(async () => {
    org = await createOrganization(t);
    manager = await createUser(t, org);
    projectCreator = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    await grantRoles(t, org, projectCreator.userId, ['ORG_PROJECT_CREATOR']);
  });

  it('AuthService: adds then removes OTP SMS for the token user, with protobuf details, and lists it in between', async () => {
    const me = await createUser(t, org);
    const client = authClient(protocol, me.token);
    const before = (await eventsOf(t, me.userId)).length;

    const added = await client.addMyAuthFactorOTPSMS({});
    expect(added.details).toMatchObject({ sequence: BigInt(before + 1), resourceOwner: org });
    expect(iso(added.details?.creationDate)).toMatch(RFC3339_MS_UTC);
    expect(added.details?.changeDate).toBeUndefined();

    const listed = await client.listMyAuthFactors({});
    expect(listed.result.map((factor) => [factor.state, factor.type.case])).toEqual([[2 /* AUTH_FACTOR_STATE_READY */, 'otpSms']]);

    const removed = await client.removeMyAuthFactorOTPSMS({});
    expect(removed.details).toMatchObject({ sequence: BigInt(before + 2), resourceOwner: org });
    expect(iso(removed.details?.creationDate)).toMatch(RFC3339_MS_UTC);
    expect(iso(removed.details?.changeDate)).toBe(iso(removed.details?.creationDate));

    expect((await eventsOf(t, me.userId)).slice(before).map((e) => [e.sequence, e.type, e.creator])).toEqual([
      [before + 1, 'user.human.otp.sms.added', me.userId],
      [before + 2, 'user.human.otp.sms.removed', me.userId],
    ]);
    expect((await client.listMyAuthFactors({})).result).toEqual([]);
  });

  it('UserService: an ORG_USER_MANAGER adds then removes OTP Email of another user', async () => {
    const target = await createUser(t, org);
    const client = userClient(protocol, manager.token);
    const before = (await eventsOf(t, target.userId)).length;

    const added = await client.addOTPEmail({ userId: target.userId });
    expect(added.details).toMatchObject({ sequence: BigInt(before + 1), resourceOwner: org });
    expect(iso(added.details?.changeDate)).toMatch(RFC3339_MS_UTC);

    const removed = await client.removeOTPEmail({ userId: target.userId });
    expect(removed.details).toMatchObject({ sequence: BigInt(before + 2), resourceOwner: org });
    expect(iso(removed.details?.changeDate)).toMatch(RFC3339_MS_UTC);

    expect((await eventsOf(t, target.userId)).slice(before).map((e) => [e.type, e.creator])).toEqual([
      ['user.human.otp.email.added', manager.userId],
      ['user.human.otp.email.removed', manager.userId],
    ]);
  });

  it('removing a factor that is not configured: NotFound with the same ErrorDetail as REST', async () => {
    const target = await createUser(t, org);
    const sms = await failure(userClient(protocol, manager.token).removeOTPSMS({ userId: target.userId }));
    const rest = await t.request('DELETE', `/v2/users/${target.userId}/otp_sms`, { token: manager.token });
    expect(sms.code).toBe(connect.Code.NotFound);
    expect(clients.errorDetails(sms).map((d) => d.id)).toEqual(['AUTHF-SMS-404']);
    expect(wireError(sms)).toEqual({
      code: rest.body.code,
      message: rest.body.message,
      details: rest.body.details.map(({ id, message }: any) => ({ id, message })),
    });

    const email = await failure(authClient(protocol, target.token).removeMyAuthFactorOTPEmail({}));
    expect(email.code).toBe(connect.Code.NotFound);
    expect(clients.errorDetails(email).map((d) => d.id)).toEqual(['AUTHF-EMAIL-404']);
  });

  it('no token: Unauthenticated, and nothing changes', async () => {
    const target = await createUser(t, org);
    const before = await eventsOf(t, target.userId);
    const error = await failure(userClient(protocol).addOTPSMS({ userId: target.userId }));
    expect(error.code).toBe(connect.Code.Unauthenticated);
    expect(wireError(error).details.map((d) => d.id)).toEqual(['AUTHF-AUTH-001']);
    const forged = await failure(authClient(protocol, 'not-a-jwt').listMyAuthFactors({}));
    expect(forged.code).toBe(connect.Code.Unauthenticated);
    expect(wireError(forged).details.map((d) => d.id)).toEqual(['AUTHF-AUTH-003']);
    expect(await eventsOf(t, target.userId)).toEqual(before);
  });

  it('a caller holding a role without the permission (ORG_PROJECT_CREATOR): PermissionDenied', async () => {
    const target = await createUser(t, org);
    await userClient(protocol, manager.token).addOTPEmail({ userId: target.userId });
    const error = await failure(userClient(protocol, projectCreator.token).removeOTPEmail({ userId: target.userId }));
    expect(error.code).toBe(connect.Code.PermissionDenied);
    expect(wireError(error).details).toHaveLength(1);
  });

  it('a method this service does not implement: Unimplemented', async () => {
    expect((await failure(authClient(protocol, manager.token).getMyUser({}))).code).toBe(connect.Code.Unimplemented);
    expect((await failure(userClient(protocol, manager.token).listUsers({}))).code).toBe(connect.Code.Unimplemented);
  });

  it('UserService provisioning: AddHumanUser, GetUserByID, SetPhone, RemovePhone (OTP SMS with it), SetEmail', async () => {
    const client = userClient(protocol, manager.token);
    const { userId, details } = await client.addHumanUser({
      username: `grpc-${protocol}-${Date.now()}`,
      organization: { org: { case: 'orgId', value: org } },
      profile: { givenName: 'Grace', familyName: 'Hopper' },
      email: { email: 'grace@example.com', verification: { case: 'isVerified', value: true } },
    });
    expect(details).toMatchObject({ sequence: 3n, resourceOwner: org }); // added, email changed, email verified

    await client.setPhone({ userId, phone: '+41790000001', verification: { case: 'isVerified', value: true } });
    await client.addOTPSMS({ userId });
    const read = await client.getUserByID({ userId });
    expect(read.details).toMatchObject({ sequence: 6n, resourceOwner: org });
    expect(read.user).toMatchObject({ userId, state: 1 /* USER_STATE_ACTIVE */ });
    expect(read.user?.type.case).toBe('human');
    expect(read.user?.type.value).toMatchObject({
      profile: { givenName: 'Grace', familyName: 'Hopper' },
      email: { email: 'grace@example.com', isVerified: true },
      phone: { phone: '+41790000001', isVerified: true },
    });

    const removed = await client.removePhone({ userId });
    expect(removed.details?.sequence).toBe(8n); // OTP SMS removed, then the phone
    expect((await eventsOf(t, userId)).slice(-2).map((e) => e.type)).toEqual(['user.human.otp.sms.removed', 'user.human.phone.removed']);
    // No verification given: a code is sent (e-mail changed, code added).
    expect((await client.setEmail({ userId, email: 'grace.hopper@example.com' })).details?.sequence).toBe(10n);
  });

  it('invalid input is refused as REST refuses it: InvalidArgument with the same detail', async () => {
    const target = await createUser(t, org);
    const error = await failure(userClient(protocol, manager.token).setPhone({ userId: target.userId, phone: '0791234567' }));
    const rest = await t.request('POST', `/v2/users/${target.userId}/phone`, { token: manager.token, body: { phone: '0791234567' } });
    expect(rest.status).toBe(400);
    expect(wireError(error)).toEqual({ code: 3, message: rest.body.message, details: rest.body.details.map(({ id, message }: any) => ({ id, message })) });
    const tooLong = await failure(userClient(protocol, manager.token).removeOTPSMS({ userId: 'x'.repeat(201) }));
    expect(wireError(tooLong).details.map((d) => d.id)).toEqual(['AUTHF-USER-400']);
    const selfAssertion = await failure(
      userClient(protocol, manager.token).setEmail({ userId: manager.userId, email: 'a@example.com', verification: { case: 'returnCode', value: {} } }),
    );
    expect(selfAssertion.code).toBe(connect.Code.PermissionDenied);
    expect(wireError(selfAssertion).details.map((d) => d.id)).toEqual(['AUTHF-CHANNEL-SELF-403']);
  });
});

describe('REST and RPC writes interleaved on one user', () => {
  it('advance its sequence by exactly one per event, whichever transport wrote it', async () => {
    const org = await createOrganization(t);
    const me = await createUser(t, org);
    const start = (await eventsOf(t, me.userId)).length;
    const rest = async (method: string, path: string): Promise<number> => {
      const response = await t.request(method, path, { token: me.token, body: method === 'POST' ? {} : undefined });
      expect(response.status).toBe(200);
      return Number(response.body.details.sequence);
    };
    const rpc = async (call: Promise<{ details?: { sequence: bigint } }>): Promise<number> => Number((await call).details?.sequence);
    const sequences = [
      await rest('POST', '/auth/v1/users/me/auth_factors/otp_sms'),
      await rpc(authClient('grpc', me.token).removeMyAuthFactorOTPSMS({})),
      await rpc(userClient('connect', me.token).addOTPEmail({ userId: me.userId })),
      await rest('DELETE', `/v2/users/${me.userId}/otp_email`),
      await rpc(authClient('grpc-web', me.token).addMyAuthFactorOTPSMS({})),
      await rest('DELETE', '/auth/v1/users/me/auth_factors/otp_sms'),
      await rpc(userClient('grpc', me.token).addOTPSMS({ userId: me.userId })),
    ];
    expect(sequences).toEqual(sequences.map((_, i) => start + 1 + i));
    expect((await eventsOf(t, me.userId)).map((e) => e.sequence)).toEqual(Array.from({ length: start + sequences.length }, (_, i) => i + 1));
  });
});
