import { EventEntity } from '@app/eventstore';
import { DeliveryEntity } from '../src/outbox/entities/delivery.entity';
import { MembershipEntity } from '../src/permissions/entities/membership.entity';
import { createOrganization, createUser, eventsOf, grantRoles, storedFactorTypes, TestUser } from './support/fixtures';
import { MailCatcher } from './support/mail-catcher';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
let mail: MailCatcher;
let org: string;
let manager: TestUser;

const RESET = (userId: string, query = '') => `/authf/v1/users/${userId}/mfa/_reset${query}`;
const errorId = (body: any): string => body.details[0].id;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function factorsOf(userId: string): Promise<string[]> {
  return storedFactorTypes(t, userId);
}

async function userWithBothFactors(organizationId = org): Promise<TestUser> {
  const user = await createUser(t, organizationId);
  for (const type of ['otp_sms', 'otp_email']) {
    expect((await t.request('POST', `/v2/users/${user.userId}/${type}`, { token: t.adminToken, body: {} })).status).toBe(200);
  }
  return user;
}

/** The e-mail deliveries the outbox made of the user's events after `sequence` (with SMTP: without it, none is stored). */
async function emailDeliveriesAfter(userId: string, sequence: number): Promise<{ type: string }[]> {
  return t.dataSource
    .getRepository(DeliveryEntity)
    .createQueryBuilder('d')
    .innerJoin(EventEntity, 'e', 'e.id = d.eventId')
    .select('e.type', 'type')
    .where({ targetKind: 'email' })
    .andWhere('e.aggregateId = :userId AND e.sequence > :sequence', { userId, sequence })
    .orderBy('e.sequence')
    .getRawMany();
}

/** Waits until the outbox has fanned out the user's events up to `sequence`. */
async function fannedOut(userId: string, sequence: number): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 50) {
    // Raw: compares with the cursor's xid8 transaction id, which no entity maps.
    const rows: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM events e, outbox_cursor c WHERE e.aggregate_id = $1 AND e.sequence = $2 AND (e.tx_id, e.id) <= (c.tx_id, c.event_id)`,
      [userId, sequence],
    );
    if (rows[0].n === 1) return;
    await settle(50);
  }
  throw new Error('the outbox did not fan the events out within 5 s');
}

beforeAll(async () => {
  mail = await new MailCatcher().start();
  t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '50', SMTP_URL: mail.url, SMTP_FROM: 'auth-factors <security@example.com>' });
  org = await createOrganization(t);
  manager = await createUser(t, org);
  await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
});

afterAll(async () => {
  await t?.close();
  await mail?.stop();
});

describe('MFA reset (POST /authf/v1/users/{userId}/mfa/_reset, our extension)', () => {
  it('removes every second factor in one call: one removal event per factor, one reset event, one security e-mail', async () => {
    const user = await userWithBothFactors();
    const before = (await eventsOf(t, user.userId)).length;

    const response = await t.request('POST', RESET(user.userId), { token: manager.token, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.details).toMatchObject({ sequence: String(before + 3), resourceOwner: org });
    expect(response.headers.get('etag')).toBe(`"${before + 3}"`);
    expect(await factorsOf(user.userId)).toEqual([]);
    expect((await eventsOf(t, user.userId)).slice(before).map((e) => [e.type, e.creator, e.payload])).toEqual([
      ['user.human.otp.sms.removed', manager.userId, { cause: 'mfa reset' }],
      ['user.human.otp.email.removed', manager.userId, { cause: 'mfa reset' }],
      ['user.human.mfa.reset', manager.userId, { factors: ['otp_sms', 'otp_email'] }],
    ]);

    await fannedOut(user.userId, before + 3);
    expect(await emailDeliveriesAfter(user.userId, before)).toEqual([{ type: 'user.human.mfa.reset' }]);

    const again = await t.request('POST', RESET(user.userId), { token: manager.token });
    expect([again.status, again.body.code, errorId(again.body)]).toEqual([404, 5, 'AUTHF-RESET-404']);
  });

  it('is for administrators on others: never on oneself (403), needs user.write (403), and is invisible from another organization (404)', async () => {
    const user = await userWithBothFactors();
    const self = await t.request('POST', RESET(user.userId), { token: user.token });
    expect([self.status, self.body.code, errorId(self.body)]).toEqual([403, 7, 'AUTHF-RESET-SELF']);
    const projectCreator = await createUser(t, org);
    await grantRoles(t, org, projectCreator.userId, ['ORG_PROJECT_CREATOR']);
    const denied = await t.request('POST', RESET(user.userId), { token: projectCreator.token });
    expect([denied.status, errorId(denied.body)]).toEqual([403, 'AUTHF-PERM-403']);
    const otherOrg = await createOrganization(t);
    const stranger = await createUser(t, otherOrg);
    await grantRoles(t, otherOrg, stranger.userId, ['ORG_OWNER']);
    const hidden = await t.request('POST', RESET(user.userId), { token: stranger.token });
    expect([hidden.status, errorId(hidden.body)]).toEqual([404, 'AUTHF-USER-404']);
    expect(await factorsOf(user.userId)).toEqual(['otp_email', 'otp_sms']);
  });

  it('an organization-level administrator cannot reset the MFA of an instance administrator (403), and nothing changes', async () => {
    const iamOwner = await userWithBothFactors();
    const grant = await t.request('POST', `/v2/organizations/${org}/members`, { token: t.adminToken, body: { userId: iamOwner.userId, roles: ['ORG_OWNER'] } });
    expect(grant.status).toBe(200);
    // No route grants instance-wide roles (only the bootstrap does): stored through the entity.
    await t.dataSource.getRepository(MembershipEntity).insert({ userId: iamOwner.userId, scope: 'instance', roles: ['IAM_OWNER'], createdAt: new Date() });
    const before = await eventsOf(t, iamOwner.userId);
    const response = await t.request('POST', RESET(iamOwner.userId), { token: manager.token });
    expect([response.status, response.body.code, errorId(response.body)]).toEqual([403, 7, 'AUTHF-PRIVILEGE-403']);
    expect(await eventsOf(t, iamOwner.userId)).toEqual(before);
    expect(await factorsOf(iamOwner.userId)).toEqual(['otp_email', 'otp_sms']);
  });

  it('under forced MFA needs force=true and a reason, which the events record', async () => {
    const forced = await createOrganization(t);
    await grantRoles(t, forced, manager.userId, ['ORG_USER_MANAGER']);
    expect((await t.request('PUT', `/v2/organizations/${forced}/factor_policy`, { token: t.adminToken, body: { forceMfa: true } })).status).toBe(200);
    const user = await userWithBothFactors(forced);
    const before = (await eventsOf(t, user.userId)).length;

    const refused = await t.request('POST', RESET(user.userId), { token: manager.token });
    expect([refused.status, refused.body.code, errorId(refused.body)]).toEqual([400, 9, 'AUTHF-RESET-FORCE']);
    expect(refused.body.details[1]).toMatchObject({ reason: 'LAST_FACTOR_REQUIRED' });
    const noReason = await t.request('POST', RESET(user.userId, '?force=true'), { token: manager.token });
    expect([noReason.status, errorId(noReason.body)]).toEqual([400, 'AUTHF-FORCE-400']);
    expect((await eventsOf(t, user.userId)).length).toBe(before);

    const reason = 'lost phone, identity checked at the desk';
    const forcedReset = await t.request('POST', RESET(user.userId, `?force=true&reason=${encodeURIComponent(reason)}`), { token: manager.token });
    expect(forcedReset.status).toBe(200);
    const audit = { adminAction: true, force: true, reason };
    expect((await eventsOf(t, user.userId)).slice(before).map((e) => [e.type, e.payload])).toEqual([
      ['user.human.otp.sms.removed', { ...audit, cause: 'mfa reset' }],
      ['user.human.otp.email.removed', { ...audit, cause: 'mfa reset' }],
      ['user.human.mfa.reset', { ...audit, factors: ['otp_sms', 'otp_email'] }],
    ]);
  });

  it('If-Match: a stale ETag is 409 (code 10) and changes nothing; the current one resets', async () => {
    const user = await userWithBothFactors();
    const sequence = (await eventsOf(t, user.userId)).length;
    const stale = await t.request('POST', RESET(user.userId), { token: manager.token, headers: { 'if-match': `"${sequence - 1}"` } });
    expect([stale.status, stale.body.code, errorId(stale.body)]).toEqual([409, 10, 'AUTHF-IFMATCH-409']);
    expect(await factorsOf(user.userId)).toEqual(['otp_email', 'otp_sms']);
    const current = await t.request('POST', RESET(user.userId), { token: manager.token, headers: { 'if-match': `"${sequence}"` } });
    expect(current.status).toBe(200);
  });

  it('Idempotency-Key: a retry replays the first answer without acting again; the key on another operation is 409', async () => {
    const user = await userWithBothFactors();
    const headers = { 'idempotency-key': `reset-${user.userId}` };
    const [first, second] = await Promise.all([
      t.request('POST', RESET(user.userId), { token: manager.token, headers }),
      t.request('POST', RESET(user.userId), { token: manager.token, headers }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect((await eventsOf(t, user.userId)).filter((e) => e.type === 'user.human.mfa.reset')).toHaveLength(1);
    const reused = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: manager.token, headers });
    expect([reused.status, errorId(reused.body)]).toEqual([409, 'AUTHF-IDEM-409']);
  });
});
