// Phone and e-mail verification, the code engine, the channel guards and the sign-in API, attacked.
// Each `it` states the secure behaviour an attack must not break.
import { TransactionRunner } from '@app/database';
import { AuthFactorsService } from '../src/auth-factors/auth-factors.service';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher';
import { DeliveryAttemptEntity } from '../src/outbox/entities/delivery-attempt.entity';
import { DeliveryEntity } from '../src/outbox/entities/delivery.entity';
import { VerificationCodeEntity } from '../src/verification/entities/verification-code.entity';
import { createOrganization, createUser, eventsOf, expectError, grantRoles, storedEvents, TestUser } from './support/fixtures';
import { MailCatcher } from './support/mail-catcher';
import { codeIn, SmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
let mail: MailCatcher;
let sms: SmsReceiver;
let org: string;
let manager: TestUser;
let counter = 0;

const freshPhone = () => `+4177${String(1_000_000 + ++counter).slice(-7)}`;
const freshEmail = () => `attack${++counter}@example.com`;

async function userOf(app: TestApp, userId: string): Promise<any> {
  return (await app.request('GET', `/v2/users/${userId}`, { token: app.adminToken })).body.user;
}

/** One outbox round, run by the test: the app's own rounds are an hour apart, so the test decides when delivery happens. */
const deliver = () => t.app.get(OutboxDispatcher).poll();

beforeAll(async () => {
  mail = await new MailCatcher().start();
  sms = await new SmsReceiver(200).start();
  t = await startTestApp({
    SMTP_URL: mail.url,
    SMS_PROVIDER: 'webhook',
    SMS_WEBHOOK_URL: `${sms.url}/sms`,
    OUTBOX_POLL_INTERVAL_MS: '3600000',
  });
  org = await createOrganization(t);
  manager = await createUser(t, org);
  await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
  await deliver();
});

afterAll(async () => {
  await t?.close();
  await mail?.stop();
  await sms?.stop();
});

describe('the sign-in API (AuthFactorsService.challengeOtpSms / checkOtpSms)', () => {
  async function userWithOtpSms(app: TestApp): Promise<TestUser> {
    const appOrg = await createOrganization(app);
    const user = await createUser(app, appOrg);
    expect((await app.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} })).status).toBe(200);
    return user;
  }

  it('counts a wrong code even when the calling module lets the error roll its own transaction back (no unbounded guessing)', async () => {
    const user = await userWithOtpSms(t);
    const factors = t.app.get(AuthFactorsService);
    const transactions = t.app.get(TransactionRunner);
    const { code } = await factors.challengeOtpSms(user.userId, { returnCode: true });
    const wrong = code === '00000000' ? '11111111' : '00000000';
    // A module checking inside its own transaction and letting a refusal roll that back: the check's record is its own.
    const signIn = (candidate: string) => transactions.run(() => factors.checkOtpSms(user.userId, candidate));
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 12; attempt++)
      outcomes.push(
        await signIn(wrong).then(
          () => 'ok',
          (error: { id?: string }) => error.id ?? '?',
        ),
      );
    expect(outcomes.slice(4)).toEqual(Array(8).fill('AUTHF-SMS-CODE-LOCKED'));
    await expect(signIn(code!)).rejects.toMatchObject({ id: 'AUTHF-SMS-CODE-LOCKED' });
  });

  it("does not spend the user's factor-change budget: a flood of sign-in attempts cannot lock the user out of changing their phone", async () => {
    const limited = await startTestApp({ FACTOR_RATE_LIMIT: '5', OUTBOX_POLL_INTERVAL_MS: '3600000' });
    try {
      const user = await userWithOtpSms(limited);
      const factors = limited.app.get(AuthFactorsService);
      // Someone who knows the user's name keeps starting sign-ins (wrong codes, new challenges).
      for (let i = 0; i < 6; i++) await factors.checkOtpSms(user.userId, '00000000').catch(() => undefined);
      const own = await limited.request('POST', `/v2/users/${user.userId}/phone`, { token: limited.token(user.userId), body: { phone: freshPhone() } });
      expect(own.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('a sign-in code issued for the old number is not delivered there once the phone was changed', async () => {
    const user = await userWithOtpSms(t);
    const oldPhone = (await userOf(t, user.userId)).human.phone.phone;
    await deliver();
    const before = sms.to(oldPhone).length;
    await t.app.get(AuthFactorsService).challengeOtpSms(user.userId); // sent by the outbox, not yet delivered
    // The number was lost: an administrator moves the user to a new, verified one before the SMS goes out.
    const moved = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: t.adminToken, body: { phone: freshPhone(), isVerified: true } });
    expect(moved.status).toBe(200);
    await deliver();
    expect(sms.to(oldPhone).length).toBe(before);
  });
});

describe('security notices', () => {
  it('a phone change is told to the address verified when it happened, even when the e-mail address changes right after', async () => {
    const user = await createUser(t, org);
    const verified = (await userOf(t, user.userId)).human.email.email;
    await deliver();
    // A hijacked session with a fresh sign-in: re-point the phone, then the e-mail address, before the outbox runs.
    expect((await t.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone: freshPhone() } })).status).toBe(200);
    expect((await t.request('POST', `/v2/users/${user.userId}/email`, { token: user.token, body: { email: freshEmail() } })).status).toBe(200);
    await deliver();
    const toVerified = mail.mails.filter((m) => m.to.includes(verified)).map((m) => m.text);
    expect(toVerified.some((text) => /e-mail address of your account was changed/.test(text))).toBe(true);
    expect(toVerified.some((text) => /phone number of your account was changed/.test(text))).toBe(true);
  });
});

describe('abuse of delivery', () => {
  it('with the default factor rate limit, one account cannot make the service text one number ten times in a few seconds (SMS pumping)', async () => {
    const receiver = await new SmsReceiver(200).start();
    const app = await startTestApp({ FACTOR_RATE_LIMIT: '60', SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: `${receiver.url}/sms`, OUTBOX_POLL_INTERVAL_MS: '50' });
    try {
      const user = await createUser(app, await createOrganization(app), { phone: null });
      const victim = '+15557654321'; // a premium-rate or someone else's number
      expect((await app.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone: victim } })).status).toBe(200);
      const resends = [];
      for (let i = 0; i < 10; i++) resends.push((await app.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: user.token, body: {} })).status);
      expect(resends).toContain(429);
      const refused = await app.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: user.token, body: {} });
      expectError(refused, 429, 8, 'AUTHF-PHONE-CODE-429');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await app.close();
      await receiver.stop();
    }
  });

  it('many accounts cannot pump one number either: codes per destination and hour are bounded across users', async () => {
    const app = await startTestApp({ VERIFICATION_CODE_SENDS_PER_HOUR: '3', OUTBOX_POLL_INTERVAL_MS: '3600000' });
    try {
      const appOrg = await createOrganization(app);
      const victim = '+15551230000';
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const user = await createUser(app, appOrg, { phone: null });
        statuses.push((await app.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone: victim } })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      // Returned codes travel nowhere and are not counted: an administrator can still act.
      const user = await createUser(app, appOrg, { phone: null });
      expect((await app.request('POST', `/v2/users/${user.userId}/phone`, { token: app.adminToken, body: { phone: victim, returnCode: {} } })).status).toBe(
        200,
      );
    } finally {
      await app.close();
    }
  });
});

describe('privilege order beyond the user', () => {
  it("an ORG_OWNER of the default organization cannot lift the step-up that guards the instance administrator's own channels", async () => {
    const defaultOrg = t.bootstrapped.organizationId;
    const policyPath = `/v2/organizations/${defaultOrg}/factor_policy`;
    expect((await t.request('PUT', policyPath, { token: t.adminToken, body: { forceMfa: false, factorChangeMaxAuthAge: '300s' } })).status).toBe(200);
    const owner = await createUser(t, defaultOrg);
    await grantRoles(t, defaultOrg, owner.userId, ['ORG_OWNER']);
    try {
      expectError(await t.request('PUT', policyPath, { token: owner.token, body: { forceMfa: false } }), 403, 7, 'AUTHF-PRIVILEGE-403');
      const staleAdmin = t.token(t.bootstrapped.adminId, { authTime: new Date(Date.now() - 3600_000) });
      const repointed = await t.request('POST', `/v2/users/${t.bootstrapped.adminId}/phone`, { token: staleAdmin, body: { phone: '+15550001234' } });
      expectError(repointed, 403, 7, 'AUTHF-STEPUP-403');
    } finally {
      await t.request('PUT', policyPath, { token: t.adminToken, body: { forceMfa: false } });
    }
  });
});

describe('what held', () => {
  it('ten parallel wrong attempts count as five: the code dies and the right one is refused', async () => {
    const user = await createUser(t, org, { phone: null });
    const { body } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    const wrong = body.verificationCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    const verify = (code: string) => t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: code } });
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(wrong)));
    const ids = answers.map((a) => a.body.details[0].id as string);
    expect(ids.filter((id) => id === 'AUTHF-PHONE-CODE-INVALID')).toHaveLength(4);
    expect(ids.filter((id) => id === 'AUTHF-PHONE-CODE-LOCKED')).toHaveLength(6);
    expectError(await verify(body.verificationCode), 400, 9, 'AUTHF-PHONE-CODE-LOCKED');
    expect((await eventsOf(t, user.userId)).filter((e) => e.type === 'user.human.phone.verification.failed')).toHaveLength(5);
  });

  it('a parallel resend and verify: the code verified is the one pending when the verify ran, never both', async () => {
    const user = await createUser(t, org, { phone: null });
    const { body } = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    const [verified, resent] = await Promise.all([
      t.request('POST', `/v2/users/${user.userId}/phone/verify`, { token: user.token, body: { verificationCode: body.verificationCode } }),
      t.request('POST', `/v2/users/${user.userId}/phone/resend`, { token: manager.token, body: { returnCode: {} } }),
    ]);
    // Either the verify ran first (verified; the resend then finds the phone verified) or the resend did (the old code is dead).
    if (verified.status === 200) expectError(resent, 400, 9, 'AUTHF-PHONE-VERIFIED');
    else expect([verified.body.details[0].id, resent.status]).toEqual(['AUTHF-PHONE-CODE-INVALID', 200]);
  });

  it('a code sent to a previous number proves nothing for the new one, even after switching back', async () => {
    const user = await createUser(t, org, { phone: null });
    const first = freshPhone();
    const a = await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: first, returnCode: {} } });
    await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: freshPhone(), returnCode: {} } });
    await t.request('POST', `/v2/users/${user.userId}/phone`, { token: manager.token, body: { phone: first, returnCode: {} } });
    const response = await t.request('POST', `/v2/users/${user.userId}/phone/verify`, {
      token: user.token,
      body: { verificationCode: a.body.verificationCode },
    });
    expect(response.status).toBe(400);
    expect((await userOf(t, user.userId)).human.phone.isVerified).toBe(false);
  });

  it('removing the phone cannot strip a forced-MFA user of OTP SMS, their last factor', async () => {
    const forced = await createOrganization(t);
    await t.request('PUT', `/v2/organizations/${forced}/factor_policy`, { token: t.adminToken, body: { forceMfa: true } });
    const user = await createUser(t, forced);
    expect((await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} })).status).toBe(200);
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: user.token }), 400, 9, 'AUTHF-FACTOR-LAST');
    expectError(await t.request('DELETE', `/v2/users/${user.userId}/phone`, { token: t.adminToken }), 400, 9, 'AUTHF-FACTOR-LAST');
    expect((await userOf(t, user.userId)).human.phone.isVerified).toBe(true);
  });

  it('a user in another organization, or one of an org role without user.write, cannot touch the channels; the answers reveal nothing', async () => {
    const other = await createOrganization(t);
    const outsider = await createUser(t, other);
    await grantRoles(t, other, outsider.userId, ['ORG_USER_MANAGER']);
    const creator = await createUser(t, org);
    await grantRoles(t, org, creator.userId, ['ORG_PROJECT_CREATOR']);
    const victim = await createUser(t, org);
    const attempt = (token: string, userId: string) =>
      t.request('POST', `/v2/users/${userId}/phone`, { token, body: { phone: freshPhone(), isVerified: true } });
    const foreign = await attempt(outsider.token, victim.userId);
    const missing = await attempt(outsider.token, `missing-${++counter}`);
    expectError(foreign, 404, 5, 'AUTHF-USER-404');
    expect(foreign.body).toEqual(missing.body);
    expectError(await attempt(creator.token, victim.userId), 403, 7, 'AUTHF-PERM-403');
  });

  it('the code is in no event, no webhook-visible row and no table but as a keyed hash; a sent code is delivered once', async () => {
    const user = await createUser(t, org, { phone: null });
    const phone = freshPhone();
    await t.request('POST', `/v2/users/${user.userId}/phone`, { token: user.token, body: { phone } });
    await deliver();
    await deliver();
    const [message, ...more] = sms.to(phone);
    expect(more).toEqual([]);
    const code = codeIn(message.fields.text);
    const dump = JSON.stringify([
      await storedEvents(t, user.userId),
      await t.dataSource.getRepository(DeliveryEntity).find(),
      await t.dataSource.getRepository(DeliveryAttemptEntity).find(),
      await t.dataSource.getRepository(VerificationCodeEntity).findBy({ userId: user.userId }),
    ]);
    expect(dump).not.toContain(code);
  });
});
