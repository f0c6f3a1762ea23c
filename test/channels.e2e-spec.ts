import { AuthFactorsService } from '../src/auth-factors/auth-factors.service';
import { VerificationCodeEntity } from '../src/verification/entities/verification-code.entity';
import { createOrganization, createUser, eventsOf, expectError, grantRoles, TestUser } from './support/fixtures';
import { MailCatcher } from './support/mail-catcher';
import { codeIn, SmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/webhook-receiver';
import { PROTOCOLS, ZitadelClients } from './support/zitadel-clients';

let t: TestApp;
let mail: MailCatcher;
let sms: SmsReceiver;
let clients: ZitadelClients;
let org: string;
let counter = 0;

const freshPhone = () => `+4178${String(1_000_000 + ++counter).slice(-7)}`;
const freshEmail = () => `channel${++counter}@example.com`;

/** The codes table's row of a user and purpose, read through the entity. */
function storedCode(userId: string, purpose: string): Promise<VerificationCodeEntity | null> {
  return t.dataSource.getRepository(VerificationCodeEntity).findOneBy({ userId, purpose: purpose as VerificationCodeEntity['purpose'] });
}

async function userOf(userId: string): Promise<any> {
  return (await t.request('GET', `/v2/users/${userId}`, { token: t.adminToken })).body.user;
}

beforeAll(async () => {
  mail = await new MailCatcher().start();
  sms = await new SmsReceiver(200).start();
  t = await startTestApp({
    SMTP_URL: mail.url,
    SMS_PROVIDER: 'webhook',
    SMS_WEBHOOK_URL: `${sms.url}/sms`,
    SMS_WEBHOOK_SECRET: 'a-webhook-secret-of-some-length',
    OUTBOX_POLL_INTERVAL_MS: '50',
  });
  clients = await ZitadelClients.load(t);
  org = await createOrganization(t);
});

afterAll(async () => {
  clients?.close();
  await t?.close();
  await mail?.stop();
  await sms?.stop();
});

describe('phone verification by code (REST)', () => {
  let manager: TestUser;

  beforeAll(async () => {
    manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
  });

  it('returnCode gives the code to an administrator; verifying it marks the phone verified, once', async () => {
    const user = await createUser(t, org, { phone: null });
    const phone = freshPhone();
    const set = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone, returnCode: {} } });
    expect(set.status).toBe(200);
    expect(set.body.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
    expect((await userOf(user.userId)).human.phone).toEqual({ phone, isVerified: false });

    const stored = await storedCode(user.userId, 'phone');
    expect(stored?.codeHash.toString('hex')).not.toContain(Buffer.from(set.body.verificationCode).toString('hex'));
    expect(stored?.pendingDelivery).toBeNull(); // returned, so nothing waits to be sent

    const verified = await t.request('POST', `/v2/users/${user.userId}/phone/verify`, {
      token: user.token,
      body: { verificationCode: set.body.verificationCode },
    });
    expect(verified.status).toBe(200);
    expect((await userOf(user.userId)).human.phone).toEqual({ phone, isVerified: true });
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: set.body.verificationCode } }),
      400,
      9,
      'AUTHF-PHONE-VERIFIED',
    );
    const events = (await eventsOf(t, user.userId)).slice(-3);
    expect(events.map((e) => [e.type, e.creator])).toEqual([
      ['user.human.phone.changed', manager.userId],
      ['user.human.phone.code.added', manager.userId],
      ['user.human.phone.verified', user.userId],
    ]);
    expect(events[2].payload).toMatchObject({ verifiedBy: 'code' });
    expect(JSON.stringify(events)).not.toContain(set.body.verificationCode);
  });

  it('five wrong codes kill the code: the right one no longer works, a resend makes a new one', async () => {
    const user = await createUser(t, org, { phone: null });
    const { body } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    const wrong = body.verificationCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    const verify = (code: string) => t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: code } });
    for (let attempt = 1; attempt <= 4; attempt++) {
      const response = await verify(wrong);
      expectError(response, 400, 3, 'AUTHF-PHONE-CODE-INVALID');
      expect(response.body.message).toContain(`${5 - attempt} attempt`);
    }
    expectError(await verify(wrong), 400, 9, 'AUTHF-PHONE-CODE-LOCKED');
    expectError(await verify(body.verificationCode), 400, 9, 'AUTHF-PHONE-CODE-LOCKED');
    expect((await eventsOf(t, user.userId)).filter((e) => e.type === 'user.human.phone.verification.failed').map((e) => e.payload.attempt)).toEqual([
      1, 2, 3, 4, 5,
    ]);

    const resent = await t.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: manager.token, body: { returnCode: {} } });
    expect(resent.status).toBe(200);
    expect((await verify(resent.body.verificationCode)).status).toBe(200);
  });

  it('an expired code is refused and removed; resend then has nothing to resend', async () => {
    const user = await createUser(t, org, { phone: null });
    const { body } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    await t.dataSource.getRepository(VerificationCodeEntity).update({ userId: user.userId, purpose: 'phone' }, { expiresAt: new Date(Date.now() - 1000) });
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: body.verificationCode } }),
      400,
      9,
      'AUTHF-PHONE-CODE-EXPIRED',
    );
    expect(await storedCode(user.userId, 'phone')).toBeNull();
    expect((await eventsOf(t, user.userId)).at(-1)?.type).toBe('user.human.phone.code.expired');
    expectError(await t.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: user.token, body: {} }), 400, 9, 'AUTHF-PHONE-CODE-NONE');
  });

  it('a resend replaces the pending code: the old one stops working', async () => {
    const user = await createUser(t, org, { phone: null });
    const first = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    const second = await t.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: manager.token, body: { returnCode: {} } });
    const verify = (code: string) => t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: code } });
    if (first.body.verificationCode !== second.body.verificationCode)
      expectError(await verify(first.body.verificationCode), 400, 3, 'AUTHF-PHONE-CODE-INVALID');
    expect((await verify(second.body.verificationCode.toLowerCase())).status).toBe(200); // typed as read, in any case
  });

  it('sendCode (the default) sends the code by SMS through the provider once, after commit; the user verifies it', async () => {
    const user = await createUser(t, org, { phone: null });
    const phone = freshPhone();
    const set = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone } });
    expect(set.status).toBe(200);
    expect(set.body.verificationCode).toBeUndefined();
    const [message] = await waitFor('the SMS', () => (sms.to(phone).length > 0 ? sms.to(phone) : undefined));
    expect(message.path).toBe('/sms');
    expect(message.headers['x-authfactors-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const code = codeIn(message.fields.text);
    await waitFor('the sent event', async () => (await eventsOf(t, user.userId)).some((e) => e.type === 'user.human.phone.code.sent'));
    expect((await storedCode(user.userId, 'phone'))?.pendingDelivery).toBeNull(); // the encrypted copy is gone once sent

    expect((await t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: code } })).status).toBe(200);
    expect(sms.to(phone)).toHaveLength(1);
    expect(JSON.stringify(await eventsOf(t, user.userId))).not.toContain(code);
  });

  it('refuses to let users vouch for themselves: no isVerified, no returnCode on oneself (the event never says administrator)', async () => {
    const user = await createUser(t, org);
    for (const body of [
      { phone: freshPhone(), isVerified: true },
      { phone: freshPhone(), returnCode: {} },
    ]) {
      expectError(await t.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body }), 403, 7, 'AUTHF-CHANNEL-SELF-403');
    }
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/email`, { token: user.token, body: { email: freshEmail(), isVerified: true } }),
      403,
      7,
      'AUTHF-CHANNEL-SELF-403',
    );
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/email/send`, { token: user.token, body: { returnCode: {} } }),
      403,
      7,
      'AUTHF-CHANNEL-SELF-403',
    );
    expect((await eventsOf(t, user.userId)).filter((e) => e.payload?.verifiedBy === 'administrator' && e.creator === user.userId)).toEqual([]);
  });

  it('refuses more than one verification choice', async () => {
    const user = await createUser(t, org);
    expectError(
      await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {}, isVerified: true } }),
      400,
      3,
      'AUTHF-VERIFICATION-400',
    );
  });
});

describe('e-mail verification by code', () => {
  it('sendCode delivers the code to the new address over SMTP, with the link; the code from the mail verifies it', async () => {
    const user = await createUser(t, org, { email: null });
    const email = freshEmail();
    const set = await t.request('POST', `/v2/users/${user.userId}/email`, {
      token: user.token,
      body: { email, sendCode: { urlTemplate: 'https://app.example.com/verify?user={{.UserID}}&code={{.Code}}' } },
    });
    expect(set.status).toBe(200);
    const [message] = await waitFor('the e-mail', () => mail.mails.filter((m) => m.to.includes(email)).at(0) && mail.mails.filter((m) => m.to.includes(email)));
    const code = codeIn(message.text);
    expect(message.text).toContain(`https://app.example.com/verify?user=${user.userId}&code=${code}`);
    expect((await t.request('POST', `/v2/users/${user.userId}/email/verify`, { token: user.token, body: { verificationCode: code } })).status).toBe(200);
    expect((await userOf(user.userId)).human.email).toEqual({ email, isVerified: true });
  });

  it('refuses a urlTemplate that is no http(s) URL or has unknown placeholders', async () => {
    const user = await createUser(t, org);
    for (const urlTemplate of ['javascript:alert(1)//{{.Code}}', 'https://x.example/{{.Password}}', 'not a url']) {
      expectError(
        await t.request('POST', `/v2/users/${user.userId}/email`, { token: user.token, body: { email: freshEmail(), sendCode: { urlTemplate } } }),
        400,
        3,
        'AUTHF-EMAIL-URL-TEMPLATE',
      );
    }
  });

  it('a changed address is told to the address verified before it; a new phone to the verified address', async () => {
    const user = await createUser(t, org);
    const before = (await userOf(user.userId)).human.email.email;
    const email = freshEmail();
    expect((await t.request('POST', `/v2/users/${user.userId}/email`, { token: user.token, body: { email } })).status).toBe(200);
    const notice = await waitFor('the notice', () =>
      mail.mails.find((m) => m.to.includes(before) && /e-mail address of your account was changed/.test(m.text)),
    );
    expect(notice.text).toContain('by you');
    expect((await eventsOf(t, user.userId)).find((e) => e.type === 'user.human.email.changed' && e.payload.email === email)?.payload).toMatchObject({
      noticeTo: before,
    });

    const other = await createUser(t, org);
    const otherEmail = (await userOf(other.userId)).human.email.email;
    expect((await t.request('POST', `/v2/users/${other.userId}/phone`, { token: other.token, body: { phone: freshPhone() } })).status).toBe(200);
    await waitFor('the phone notice', () => mail.mails.find((m) => m.to.includes(otherEmail) && /phone number of your account was changed/.test(m.text)));
  });
});

describe('a channel change is a factor change', () => {
  let stepUpOrg: string;

  beforeAll(async () => {
    stepUpOrg = await createOrganization(t);
    const policy = await t.request('PUT', `/v2/organizations/${stepUpOrg}/factor_policy`, {
      token: t.adminToken,
      body: { forceMfa: false, factorChangeMaxAuthAge: '300s' },
    });
    expect(policy.status).toBe(200);
  });

  it('a stale sign-in cannot re-point its own phone or e-mail, nor remove the phone (REST)', async () => {
    const user = await createUser(t, stepUpOrg);
    const stale = t.token(user.userId, { authTime: new Date(Date.now() - 3600_000) });
    const before = await eventsOf(t, user.userId);
    expectError(await t.request('POST', `/v2/users/${user.userId}/phone`, { token: stale, body: { phone: freshPhone() } }), 403, 7, 'AUTHF-STEPUP-403');
    expectError(await t.request('POST', `/v2/users/${user.userId}/email`, { token: stale, body: { email: freshEmail() } }), 403, 7, 'AUTHF-STEPUP-403');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: stale }), 403, 7, 'AUTHF-STEPUP-403');
    expect(await eventsOf(t, user.userId)).toEqual(before);

    const fresh = t.token(user.userId);
    expect((await t.request('POST', `/v2/users/${user.userId}/phone`, { token: fresh, body: { phone: freshPhone() } })).status).toBe(200);
  });

  it.each(PROTOCOLS)('a stale sign-in cannot re-point its own phone or e-mail over %s either', async (protocol) => {
    const user = await createUser(t, stepUpOrg);
    const client = clients.users(protocol, t.token(user.userId, { authTime: new Date(Date.now() - 3600_000) }));
    for (const call of [
      () => client.setPhone({ userId: user.userId, phone: freshPhone() }),
      () => client.setEmail({ userId: user.userId, email: freshEmail() }),
      () => client.removePhone({ userId: user.userId }),
    ]) {
      const error = await clients.failure(call());
      expect(error.code).toBe(clients.connect.Code.PermissionDenied);
      expect(clients.errorDetails(error).map((d) => d.id)).toEqual(['AUTHF-STEPUP-403']);
    }
  });

  it('an administrator is exempt from step-up, and the event records the administrator as the actor', async () => {
    const user = await createUser(t, stepUpOrg);
    const response = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: t.adminToken, body: { phone: freshPhone(), isVerified: true } });
    expect(response.status).toBe(200);
    const [changed, verified] = (await eventsOf(t, user.userId)).slice(-2);
    expect([changed.creator, changed.payload.adminAction, verified.payload]).toEqual([
      t.bootstrapped.adminId,
      true,
      { verifiedBy: 'administrator', adminAction: true },
    ]);
  });
});

describe('privilege order: organization-level roles cannot change instance-level users', () => {
  it("an ORG_USER_MANAGER of the default organization cannot take over the instance administrator's channels or factors", async () => {
    const defaultOrg = t.bootstrapped.organizationId;
    const manager = await createUser(t, defaultOrg);
    await grantRoles(t, defaultOrg, manager.userId, ['ORG_USER_MANAGER']);
    const admin = t.bootstrapped.adminId;
    const before = await eventsOf(t, admin);
    for (const [method, path, body] of [
      ['POST', `/v2/users/${admin}/email`, { email: 'attacker@example.com', isVerified: true }],
      ['POST', `/v2/users/${admin}/phone`, { phone: '+15550001234', isVerified: true }],
      ['POST', `/v2/users/${admin}/phone`, { phone: '+15550001234', returnCode: {} }],
      ['POST', `/v2/users/${admin}/otp_sms`, {}],
      ['DELETE', `/v2/users/${admin}/otp_email`, undefined],
    ] as const) {
      expectError(await t.request(method, path, { token: manager.token, body }), 403, 7, 'AUTHF-PRIVILEGE-403');
    }
    // Reading stays allowed: the order governs changes.
    expect((await t.request('GET', `/v2/users/${admin}`, { token: manager.token })).status).toBe(200);
    expect(await eventsOf(t, admin)).toEqual(before);
  });

  it('an organization owner cannot grant roles to a user who holds an instance-wide role', async () => {
    const defaultOrg = t.bootstrapped.organizationId;
    const owner = await createUser(t, defaultOrg);
    await grantRoles(t, defaultOrg, owner.userId, ['ORG_OWNER']);
    const response = await t.request('POST', `/v2/organizations/${defaultOrg}/members`, {
      token: owner.token,
      body: { userId: t.bootstrapped.adminId, roles: ['ORG_USER_MANAGER'] },
    });
    expectError(response, 403, 7, 'AUTHF-PRIVILEGE-403');
  });

  it.each(PROTOCOLS)('the same over %s', async (protocol) => {
    const defaultOrg = t.bootstrapped.organizationId;
    const manager = await createUser(t, defaultOrg);
    await grantRoles(t, defaultOrg, manager.userId, ['ORG_USER_MANAGER']);
    const error = await clients.failure(
      clients
        .users(protocol, manager.token)
        .setPhone({ userId: t.bootstrapped.adminId, phone: '+15550001234', verification: { case: 'isVerified', value: true } }),
    );
    expect(clients.errorDetails(error).map((d) => d.id)).toEqual(['AUTHF-PRIVILEGE-403']);
  });
});

describe('user creation reveals nothing of other organizations', () => {
  it("a taken username in the caller's organization is reported first, whatever the chosen id", async () => {
    const mine = await createOrganization(t);
    const theirs = await createOrganization(t);
    const owner = await createUser(t, mine);
    await grantRoles(t, mine, owner.userId, ['ORG_OWNER']);
    const existing = await createUser(t, mine);
    const username = (await userOf(existing.userId)).username;
    const elsewhere = await createUser(t, theirs);
    const create = (userId: string) =>
      t.request('POST', '/v2/users/human', {
        token: owner.token,
        body: { userId, username, organization: { orgId: mine }, profile: { givenName: 'P', familyName: 'Q' } },
      });
    const probed = await create(elsewhere.userId);
    const free = await create(`free-${++counter}`);
    expectError(probed, 409, 6, 'AUTHF-USER-409-NAME');
    expect(probed.body).toEqual(free.body);
  });
});

describe('over ZITADEL’s published client', () => {
  it.each(PROTOCOLS)(
    '%s: set phone with returnCode, five wrong codes, an expired code, a new code verified; e-mail with sendCode verified from the mail',
    async (protocol) => {
      const manager = await createUser(t, org);
      await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
      const user = await createUser(t, org, { phone: null, email: null });
      const admin = clients.users(protocol, manager.token);
      const self = clients.users(protocol, user.token);

      const set = await admin.setPhone({ userId: user.userId, phone: freshPhone(), verification: { case: 'returnCode', value: {} } });
      expect(set.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      const wrong = await clients.failure(self.verifyPhone({ userId: user.userId, verificationCode: set.verificationCode === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ' }));
      expect([wrong.code, clients.errorDetails(wrong)[0].id]).toEqual([clients.connect.Code.InvalidArgument, 'AUTHF-PHONE-CODE-INVALID']);
      for (let attempt = 2; attempt <= 4; attempt++) await clients.failure(self.verifyPhone({ userId: user.userId, verificationCode: 'ZZZZZY' }));
      const locked = await clients.failure(
        self.verifyPhone({ userId: user.userId, verificationCode: set.verificationCode === 'ZZZZZX' ? 'ZZZZZW' : 'ZZZZZX' }),
      );
      expect([locked.code, clients.errorDetails(locked)[0].id]).toEqual([clients.connect.Code.FailedPrecondition, 'AUTHF-PHONE-CODE-LOCKED']);
      expect(clients.errorDetails(await clients.failure(self.verifyPhone({ userId: user.userId, verificationCode: set.verificationCode })))[0].id).toBe(
        'AUTHF-PHONE-CODE-LOCKED',
      );

      const expiring = await admin.resendPhoneCode({ userId: user.userId, verification: { case: 'returnCode', value: {} } });
      await t.dataSource.getRepository(VerificationCodeEntity).update({ userId: user.userId, purpose: 'phone' }, { expiresAt: new Date(Date.now() - 1000) });
      const expired = await clients.failure(self.verifyPhone({ userId: user.userId, verificationCode: expiring.verificationCode }));
      expect(clients.errorDetails(expired)[0].id).toBe('AUTHF-PHONE-CODE-EXPIRED');

      const resent = await admin.setPhone({
        userId: user.userId,
        phone: (await userOf(user.userId)).human.phone.phone,
        verification: { case: 'returnCode', value: {} },
      });
      expect((await self.verifyPhone({ userId: user.userId, verificationCode: resent.verificationCode! })).details?.sequence).toBeGreaterThan(0n);

      const email = freshEmail();
      await self.setEmail({ userId: user.userId, email, verification: { case: 'sendCode', value: {} } });
      const message = await waitFor('the e-mail', () => mail.mails.find((m) => m.to.includes(email)));
      await self.verifyEmail({ userId: user.userId, verificationCode: codeIn(message.text) });
      expect((await userOf(user.userId)).human).toMatchObject({ email: { email, isVerified: true }, phone: { isVerified: true } });
    },
  );
});

describe('OTP SMS while a new phone awaits verification', () => {
  it('stays configured but sends no code until the new number is verified', async () => {
    const user = await createUser(t, org);
    expect((await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} })).status).toBe(200);
    const factors = t.app.get(AuthFactorsService);
    expect((await factors.challengeOtpSms(user.userId, { returnCode: true })).code).toMatch(/^\d{8}$/);

    const manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    const { body } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    const listed = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: user.token, body: {} });
    expect(listed.body.result).toEqual([{ state: 'AUTH_FACTOR_STATE_READY', otpSms: {} }]);
    await expect(factors.challengeOtpSms(user.userId)).rejects.toMatchObject({ id: 'AUTHF-SMS-CHANNEL-UNVERIFIED' });

    expect(
      (await t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: body.verificationCode } })).status,
    ).toBe(200);
    expect((await factors.challengeOtpSms(user.userId, { returnCode: true })).code).toMatch(/^\d{8}$/);
  });
});

describe('SMS through a Twilio-compatible Messages API', () => {
  it('posts To, From and Body with the account as Basic credentials, to the account’s Messages resource', async () => {
    const twilio = await new SmsReceiver(201).start();
    const app = await startTestApp({
      SMS_PROVIDER: 'twilio',
      SMS_TWILIO_API_URL: twilio.url,
      SMS_TWILIO_ACCOUNT_SID: 'AC0123456789',
      SMS_TWILIO_AUTH_TOKEN: 'twilio-token',
      SMS_FROM: '+15005550006',
      OUTBOX_POLL_INTERVAL_MS: '50',
    });
    try {
      const appOrg = (await app.request('POST', '/v2/organizations', { token: app.adminToken, body: { name: 'twilio' } })).body.organizationId;
      const user = await app.request('POST', '/v2/users/human', {
        token: app.adminToken,
        body: { username: 'texted', organization: { orgId: appOrg }, profile: { givenName: 'T', familyName: 'X' } },
      });
      const phone = freshPhone();
      expect((await app.request('POST', `/v2/users/${user.body.userId}/phone`, { token: app.token(user.body.userId), body: { phone } })).status).toBe(200);
      const [message] = await waitFor('the SMS', () => (twilio.to(phone).length > 0 ? twilio.to(phone) : undefined));
      expect(message.path).toBe('/2010-04-01/Accounts/AC0123456789/Messages.json');
      expect(message.headers.authorization).toBe(`Basic ${Buffer.from('AC0123456789:twilio-token').toString('base64')}`);
      expect(message.fields).toMatchObject({ To: phone, From: '+15005550006' });
      const code = codeIn(message.fields.Body);
      const verified = await app.request('POST', `/v2/users/${user.body.userId}/phone/verify`, {
        token: app.token(user.body.userId),
        body: { verificationCode: code },
      });
      expect(verified.status).toBe(200);
    } finally {
      await app.close();
      await twilio.stop();
    }
  });
});
