import { EventEntity } from '@app/eventstore';
import { createOrganization, createUser, grantRoles, TestUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { ZitadelClients } from './support/zitadel-clients';

let t: TestApp;
const SEARCH = '/authf/v1/events/_search';
const errorId = (body: any): string => body.details[0].id;

async function search(token: string, body: Record<string, unknown>) {
  const response = await t.request('POST', SEARCH, { token, body });
  expect(response.status).toBe(200);
  return response.body as { events: any[]; nextCursor?: string };
}

/** Every page of a search, following nextCursor; `between` runs after each page. */
async function allPages(token: string, body: Record<string, unknown>, between: () => Promise<void> = async () => {}): Promise<any[]> {
  const events: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await search(token, { ...body, ...(cursor ? { cursor } : {}) });
    events.push(...result.events);
    if (!result.nextCursor || result.events.length === 0) return events;
    cursor = result.nextCursor;
    await between();
  }
  throw new Error('more than 50 pages');
}

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('audit search (POST /authf/v1/events/_search, our extension)', () => {
  let org: string;
  let owner: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    org = await createOrganization(t);
    owner = await createUser(t, org);
    user = await createUser(t, org);
    await grantRoles(t, org, owner.userId, ['ORG_OWNER']);
  });

  it("an organization owner searches their organization's events, newest first, each with who, when, from where and with what", async () => {
    const added = await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: owner.token, body: {}, headers: { 'user-agent': 'admin-console/1.0' } });
    expect(added.status).toBe(200);
    const { events } = await search(owner.token, { organizationId: org, limit: 1 });
    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^\d+$/),
        type: 'user.human.otp.sms.added',
        aggregateType: 'user',
        aggregateId: user.userId,
        sequence: added.body.details.sequence,
        creationDate: added.body.details.changeDate,
        organizationId: org,
        editorUserId: owner.userId,
        requestId: added.headers.get('x-request-id'),
        sourceAddress: '127.0.0.1',
        userAgent: 'admin-console/1.0',
        payload: {},
      },
    ]);
  });

  it('filters by user, event types, acting user and time range; oldest first with asc', async () => {
    const target = await createUser(t, org);
    const start = new Date();
    await t.request('POST', `/v2/users/${target.userId}/otp_sms`, { token: owner.token });
    await t.request('POST', `/v2/users/${target.userId}/otp_email`, { token: t.adminToken });
    await t.request('DELETE', `/v2/users/${target.userId}/otp_sms`, { token: target.token });
    const types = (events: any[]) => events.map((e) => e.type);
    expect(types((await search(owner.token, { organizationId: org, userId: target.userId, range: { since: start.toISOString() } })).events)).toEqual([
      'user.human.otp.sms.removed',
      'user.human.otp.email.added',
      'user.human.otp.sms.added',
    ]);
    expect(types((await search(owner.token, { organizationId: org, userId: target.userId, asc: true })).events)).toEqual([
      'user.human.added',
      'user.human.email.changed',
      'user.human.email.verified',
      'user.human.phone.changed',
      'user.human.phone.verified',
      'user.human.otp.sms.added',
      'user.human.otp.email.added',
      'user.human.otp.sms.removed',
    ]);
    const byTarget = await search(owner.token, { organizationId: org, editorUserId: target.userId });
    expect(byTarget.events.map((e) => [e.type, e.aggregateId])).toEqual([['user.human.otp.sms.removed', target.userId]]);
    const smsOnly = await search(owner.token, {
      organizationId: org,
      userId: target.userId,
      eventTypes: ['user.human.otp.sms.added', 'user.human.otp.sms.removed'],
    });
    expect(types(smsOnly.events)).toEqual(['user.human.otp.sms.removed', 'user.human.otp.sms.added']);
    expect(
      (
        await search(owner.token, {
          organizationId: org,
          userId: target.userId,
          range: { until: start.toISOString() },
          eventTypes: ['user.human.otp.sms.added'],
        })
      ).events,
    ).toEqual([]);
  });

  it("keeps a deleted user's events searchable", async () => {
    const leaving = await createUser(t, org);
    await t.request('DELETE', `/v2/users/${leaving.userId}`, { token: owner.token });
    const { events } = await search(owner.token, { organizationId: org, userId: leaving.userId });
    expect(events[0]).toMatchObject({ type: 'user.removed', editorUserId: owner.userId });
    expect(events.at(-1)).toMatchObject({ type: 'user.human.added' });
  });

  it('newest first: the pages of one search neither skip nor repeat an event while events are appended between them', async () => {
    const busy = await createOrganization(t);
    const writer = await createUser(t, busy);
    for (let i = 0; i < 4; i++) {
      await t.request('POST', `/v2/users/${writer.userId}/otp_sms`, { token: t.adminToken });
      await t.request('DELETE', `/v2/users/${writer.userId}/otp_sms`, { token: t.adminToken });
    }
    const existing = (await search(t.adminToken, { organizationId: busy, limit: 1000 })).events.map((e) => e.eventId);
    const paged = await allPages(t.adminToken, { organizationId: busy, limit: 3 }, async () => {
      await t.request('POST', `/v2/users/${writer.userId}/otp_email`, { token: t.adminToken });
      await t.request('DELETE', `/v2/users/${writer.userId}/otp_email`, { token: t.adminToken });
    });
    expect(paged.map((e) => e.eventId)).toEqual(existing);
  });

  it('oldest first: an event whose transaction commits late is neither skipped nor shown before the events it precedes', async () => {
    const busy = await createOrganization(t);
    const writer = await createUser(t, busy);
    const first = await search(t.adminToken, { organizationId: busy, asc: true, limit: 1000 });
    expect(first.nextCursor).toBeDefined();
    // A transaction that takes its place in the log now but commits after a later command.
    const held = t.dataSource.createQueryRunner();
    await held.connect();
    try {
      await held.startTransaction();
      await held.manager.insert(EventEntity, {
        aggregateType: 'org',
        aggregateId: busy,
        sequence: '1000000',
        type: 'test.held',
        creator: 'system',
        resourceOwner: busy,
      });
      expect((await t.request('POST', `/v2/users/${writer.userId}/otp_sms`, { token: t.adminToken })).status).toBe(200);
      const whileHeld = await search(t.adminToken, { organizationId: busy, asc: true, cursor: first.nextCursor });
      expect(whileHeld.events).toEqual([]);
      await held.commitTransaction();
    } finally {
      await held.release();
    }
    const after = await search(t.adminToken, { organizationId: busy, asc: true, cursor: first.nextCursor });
    expect(after.events.map((e) => e.type)).toEqual(['test.held', 'user.human.otp.sms.added']);
  });

  it('the instance is for IAM_OWNER only; another organization is 404; a role without events.read is 403', async () => {
    const manager = await createUser(t, org);
    await grantRoles(t, org, manager.userId, ['ORG_USER_MANAGER']);
    const instance = await t.request('POST', SEARCH, { token: owner.token, body: {} });
    expect([instance.status, instance.body.code, errorId(instance.body)]).toEqual([403, 7, 'AUTHF-PERM-403']);
    const other = await t.request('POST', SEARCH, { token: owner.token, body: { organizationId: await createOrganization(t) } });
    expect([other.status, errorId(other.body)]).toEqual([404, 'AUTHF-ORG-404']);
    const managerSearch = await t.request('POST', SEARCH, { token: manager.token, body: { organizationId: org } });
    expect([managerSearch.status, errorId(managerSearch.body)]).toEqual([403, 'AUTHF-PERM-403']);
    const all = await search(t.adminToken, { limit: 1000 });
    expect(new Set(all.events.map((e) => e.organizationId)).size).toBeGreaterThan(1);
  });

  it('refuses a malformed query or a cursor of another search (400, code 3)', async () => {
    const page = await search(owner.token, { organizationId: org, limit: 1 });
    const cases: [Record<string, unknown>, string][] = [
      [{ organizationId: org, cursor: page.nextCursor, asc: true }, 'AUTHF-AUDIT-CURSOR'],
      [{ organizationId: org, cursor: page.nextCursor, userId: user.userId }, 'AUTHF-AUDIT-CURSOR'],
      [{ organizationId: org, cursor: 'not-a-cursor' }, 'AUTHF-AUDIT-CURSOR'],
      [
        { organizationId: org, cursor: Buffer.from(JSON.stringify({ v: 1, t: '9'.repeat(30), i: '1', a: false, f: 'x' })).toString('base64url') },
        'AUTHF-AUDIT-CURSOR',
      ],
      [{ organizationId: org, limit: 0 }, 'AUTHF-REQ-400'],
      [{ organizationId: org, range: { since: 'yesterday' } }, 'AUTHF-REQ-400'],
      [{ organizationId: org, unknown: true }, 'AUTHF-REQ-400'],
    ];
    for (const [body, id] of cases) {
      const response = await t.request('POST', SEARCH, { token: owner.token, body });
      expect([response.status, response.body.code, errorId(response.body)]).toEqual([400, 3, id]);
    }
  });
});

describe('source address of events', () => {
  it('is the connection peer, whatever X-Forwarded-For claims, unless the peer is a trusted proxy; RPCs record it too', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org);
    const spoofed = await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken, headers: { 'x-forwarded-for': '198.51.100.9' } });
    expect(spoofed.status).toBe(200);
    const clients = await ZitadelClients.load(t);
    try {
      await clients.users('grpc', t.adminToken).addOTPEmail({ userId: user.userId });
    } finally {
      clients.close();
    }
    const { events } = await search(t.adminToken, { userId: user.userId, limit: 2 });
    expect(events.map((e) => [e.type, e.sourceAddress])).toEqual([
      ['user.human.otp.email.added', '127.0.0.1'],
      ['user.human.otp.sms.added', '127.0.0.1'],
    ]);
    expect(events[0].userAgent).toMatch(/connect-es|grpc/);

    const behindProxy = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const proxiedOrg = await createOrganization(behindProxy);
      const proxiedUser = await createUser(behindProxy, proxiedOrg);
      const forwarded = await behindProxy.request('DELETE', `/v2/users/${proxiedUser.userId}/phone`, {
        token: behindProxy.adminToken,
        headers: { 'x-forwarded-for': '203.0.113.7, 127.0.0.1', 'user-agent': 'behind-proxy/2' },
      });
      expect(forwarded.status).toBe(200);
      const events = await behindProxy.dataSource
        .getRepository(EventEntity)
        .find({ select: { sourceAddress: true, userAgent: true }, where: { aggregateId: proxiedUser.userId, type: 'user.human.phone.removed' } });
      expect(events.map(({ sourceAddress, userAgent }) => ({ sourceAddress, userAgent }))).toEqual([
        { sourceAddress: '203.0.113.7', userAgent: 'behind-proxy/2' },
      ]);
    } finally {
      await behindProxy.close();
    }
  });
});
