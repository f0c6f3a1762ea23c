import { createHmac } from 'node:crypto';
import { TransactionRunner } from '@app/database';
import { EventEntity } from '@app/eventstore';
import { DeliveryAttemptEntity } from '../src/outbox/entities/delivery-attempt.entity';
import { DeliveryEntity } from '../src/outbox/entities/delivery.entity';
import { OutboxRepository } from '../src/outbox/outbox.repository';
import { UserEntity } from '../src/users/entities/user.entity';
import { createOrganization, createUser, eventIdOf as eventIdOfStored, grantRoles, TestUser } from './support/fixtures';
import { MailCatcher } from './support/mail-catcher';
import { ServiceProcess } from './support/service-process';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-postgres';
import { WebhookReceiver, waitFor } from './support/webhook-receiver';

const SMS_REMOVED = 'user.human.otp.sms.removed';
const SMS_ADDED = 'user.human.otp.sms.added';
const EMAIL_REMOVED = 'user.human.otp.email.removed';

/** The receivers of these tests listen on 127.0.0.1, which webhooks may reach only with private networks allowed. */
const LOOPBACK_RECEIVERS = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };

const FAST_OUTBOX = { OUTBOX_POLL_INTERVAL_MS: '50', OUTBOX_RETRY_BASE_MS: '100', OUTBOX_RETRY_MAX_MS: '400', OUTBOX_MAX_ATTEMPTS: '3' };

async function addWebhook(t: TestApp, organizationId: string, url: string, eventTypes: string[], token = t.adminToken) {
  return t.request('POST', `/v2/organizations/${organizationId}/webhooks`, { token, body: { url, eventTypes } });
}

async function userWithOtpSms(t: TestApp, organizationId: string): Promise<TestUser> {
  const user = await createUser(t, organizationId);
  const added = await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
  if (added.status !== 200) throw new Error(`adding OTP SMS: ${added.status}`);
  return user;
}

function eventIdOf(t: TestApp, userId: string, sequence: string | number): Promise<string> {
  return eventIdOfStored(t, userId, { sequence: Number(sequence) });
}

async function deliveriesOf(t: TestApp, eventId: string): Promise<{ targetKind: string; status: string; attempts: number; lastError: string | null }[]> {
  const deliveries = await t.dataSource.getRepository(DeliveryEntity).find({ where: { eventId }, order: { targetKind: 'ASC' } });
  return deliveries.map((d) => ({ targetKind: d.targetKind, status: d.status, attempts: d.attempts, lastError: d.lastError }));
}

/** The attempts recorded for the event's webhook delivery, in order. */
async function webhookAttemptsOf(t: TestApp, eventId: string): Promise<{ attempt: number; outcome: string; error: string | null }[]> {
  const attempts = await t.dataSource
    .getRepository(DeliveryAttemptEntity)
    .createQueryBuilder('a')
    .innerJoin(DeliveryEntity, 'd', 'd.id = a.deliveryId')
    .where('d.eventId = :eventId AND d.targetKind = :kind', { eventId, kind: 'webhook' })
    .orderBy('a.attempt')
    .getMany();
  return attempts.map((a) => ({ attempt: a.attempt, outcome: a.outcome, error: a.error }));
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls the API of a service process, as TestApp.request calls the in-process one. */
async function call(service: ServiceProcess, method: string, path: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: text };
  }
}

describe('Outbox: webhooks and security e-mails from the event log', () => {
  let t: TestApp;
  let mail: MailCatcher;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (respond?: ConstructorParameters<typeof WebhookReceiver>[0]) => {
    const r = await new WebhookReceiver(respond).start();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    mail = await new MailCatcher().start();
    t = await startTestApp({ ...FAST_OUTBOX, ...LOOPBACK_RECEIVERS, SMTP_URL: mail.url, SMTP_FROM: 'auth-factors <security@example.com>' });
  });

  afterAll(async () => {
    await t?.close();
    await mail?.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  it('delivers a factor removal exactly once to the webhook, signed, and e-mails the user once', async () => {
    const organizationId = await createOrganization(t);
    const hook = await receiver();
    const created = await addWebhook(t, organizationId, hook.url, [SMS_REMOVED]);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ webhookId: expect.any(String), url: hook.url, eventTypes: [SMS_REMOVED], secret: expect.stringMatching(/^whsec-/) });
    const user = await userWithOtpSms(t, organizationId);

    const removed = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
    expect(removed.status).toBe(200);
    const eventId = await eventIdOf(t, user.userId, removed.body.details.sequence);

    await waitFor('the webhook delivery', () => hook.of(eventId).length > 0);
    await waitFor('the e-mail', () => mail.of(eventId).length > 0);
    await waitFor('both deliveries finished', async () => (await deliveriesOf(t, eventId)).every((d) => d.status === 'delivered'));
    await settle(500); // several more polls: nothing is sent twice

    const [receipt, ...more] = hook.of(eventId);
    expect(more).toHaveLength(0);
    expect(hook.receipts.filter((r) => r.body.userId === user.userId)).toHaveLength(1); // subscribed to removals only
    expect(receipt.body).toEqual({
      id: eventId,
      type: SMS_REMOVED,
      userId: user.userId,
      organizationId,
      sequence: removed.body.details.sequence,
      createdAt: removed.body.details.changeDate,
      actor: t.bootstrapped.adminId,
      actorKind: 'admin',
    });
    const timestamp = String(receipt.headers['x-authfactors-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const expected = `sha256=${createHmac('sha256', created.body.secret).update(`${timestamp}.${receipt.rawBody}`).digest('hex')}`;
    expect(receipt.headers['x-authfactors-signature']).toBe(expected);
    expect(receipt.headers['content-type']).toBe('application/json');

    const mails = mail.of(eventId);
    expect(mails).toHaveLength(1);
    const stored = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ id: user.userId });
    expect(mails[0].to).toEqual([stored.email]);
    expect(mails[0].text).toMatch(/Subject: Security notice: Your OTP SMS factor was removed/);
    expect(mails[0].text).toContain(`Your OTP SMS factor was removed on ${removed.body.details.changeDate.slice(0, 10)}`);
    expect(mails[0].text).toContain("If this wasn't you");
    expect(await deliveriesOf(t, eventId)).toEqual([
      { targetKind: 'email', status: 'delivered', attempts: 1, lastError: null },
      { targetKind: 'webhook', status: 'delivered', attempts: 1, lastError: null },
    ]);
  });

  it('retries a receiver that fails twice: three receipts with the same event id, then delivered', async () => {
    const organizationId = await createOrganization(t);
    const hook = await receiver((_, seen) => (seen <= 2 ? 500 : 204));
    const created = await addWebhook(t, organizationId, hook.url, [SMS_REMOVED]);
    const user = await userWithOtpSms(t, organizationId);
    const removed = await t.request('DELETE', `/auth/v1/users/me/auth_factors/otp_sms`, { token: user.token });
    expect(removed.status).toBe(200);
    const eventId = await eventIdOf(t, user.userId, removed.body.details.sequence);

    await waitFor('delivered after retries', async () => (await deliveriesOf(t, eventId)).find((d) => d.targetKind === 'webhook')?.status === 'delivered');
    const receipts = hook.of(eventId);
    expect(receipts.map((r) => [r.body.id, r.attempt, r.answeredWith])).toEqual([
      [eventId, 1, 500],
      [eventId, 2, 500],
      [eventId, 3, 204],
    ]);
    expect(receipts[0].body.actorKind).toBe('self');
    expect(new Set(receipts.map((r) => r.rawBody)).size).toBe(1);

    const listed = await t.request('GET', `/v2/organizations/${organizationId}/webhooks/${created.body.webhookId}/deliveries`, { token: t.adminToken });
    expect(listed.status).toBe(200);
    expect(listed.body.result).toEqual([
      expect.objectContaining({ eventId, eventType: SMS_REMOVED, userId: user.userId, status: 'delivered', attempts: 3, finishDate: expect.any(String) }),
    ]);
    expect(listed.body.result[0].lastError).toBeUndefined();
    expect(await webhookAttemptsOf(t, eventId)).toEqual([
      { attempt: 1, outcome: 'failed', error: 'HTTP 500' },
      { attempt: 2, outcome: 'failed', error: 'HTTP 500' },
      { attempt: 3, outcome: 'delivered', error: null },
    ]);
  });

  it('dead-letters after the configured number of failed attempts, visible through the API and the metrics', async () => {
    const organizationId = await createOrganization(t);
    const hook = await receiver(() => 503);
    const created = await addWebhook(t, organizationId, hook.url, ['*']);
    const user = await userWithOtpSms(t, organizationId);
    const removed = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
    const eventId = await eventIdOf(t, user.userId, removed.body.details.sequence);

    const path = `/v2/organizations/${organizationId}/webhooks/${created.body.webhookId}/deliveries`;
    const dead = await waitFor('the dead letter', async () => {
      const response = await t.request('GET', `${path}?status=dead`, { token: t.adminToken });
      return response.body.result?.find((d: any) => d.eventId === eventId);
    });
    expect(dead).toMatchObject({ eventType: SMS_REMOVED, status: 'dead', attempts: 3, lastError: 'HTTP 503', finishDate: expect.any(String) });
    expect(dead.nextAttemptDate).toBeUndefined();
    expect(hook.of(eventId).map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect((await t.request('GET', `${path}?status=bogus`, { token: t.adminToken })).status).toBe(400);

    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/auth_factors_outbox_deliveries\{kind="webhook",status="dead"\} [1-9]/);
    expect(metrics.body).toMatch(/auth_factors_outbox_delivery_attempts_total\{kind="webhook",outcome="failed"\} [1-9]/);
    expect(metrics.body).toMatch(/auth_factors_outbox_deliveries\{kind="email",status="delivered"\} [1-9]/);
    const ready = await t.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.info.outbox).toMatchObject({ status: 'up', lastPollAt: expect.any(String) });
  });

  it('skips no event whose transaction commits after a later event id was written (gap-safe cursor)', async () => {
    const organizationId = await createOrganization(t);
    const hook = await receiver();
    await addWebhook(t, organizationId, hook.url, [SMS_REMOVED]);
    const early = await createUser(t, organizationId);
    const late = await userWithOtpSms(t, organizationId);
    // A writer takes an event id and stays uncommitted while a later event commits and the dispatcher polls.
    const slow = t.dataSource.createQueryRunner();
    await slow.connect();
    try {
      await slow.startTransaction();
      const inserted = await slow.manager.insert(EventEntity, {
        aggregateType: 'user',
        aggregateId: early.userId,
        sequence: '999',
        type: SMS_REMOVED,
        creator: early.userId,
        resourceOwner: organizationId,
      });
      const slowEventId = (inserted.identifiers[0] as { id: string }).id;
      const removed = await t.request('DELETE', `/v2/users/${late.userId}/otp_sms`, { token: t.adminToken });
      const laterEventId = await eventIdOf(t, late.userId, removed.body.details.sequence);
      expect(BigInt(laterEventId)).toBeGreaterThan(BigInt(slowEventId));
      await settle(300); // several polls: the later event waits behind the open transaction instead of passing it
      expect(hook.of(laterEventId)).toHaveLength(0);
      await slow.commitTransaction();

      await waitFor('both events delivered', () => hook.of(slowEventId).length === 1 && hook.of(laterEventId).length === 1);
    } finally {
      await slow.release();
    }
  });

  it('lets only org.webhook.write holders manage webhooks', async () => {
    const organizationId = await createOrganization(t);
    const manager = await createUser(t, organizationId);
    await grantRoles(t, organizationId, manager.userId, ['ORG_USER_MANAGER']);
    const owner = await createUser(t, organizationId);
    await grantRoles(t, organizationId, owner.userId, ['ORG_OWNER']);
    const outsider = await createUser(t, await createOrganization(t));
    const url = 'https://hooks.example.com/x';

    expect((await addWebhook(t, organizationId, url, [SMS_REMOVED], outsider.token)).body.details[0].id).toBe('AUTHF-ORG-404');
    expect((await addWebhook(t, organizationId, url, [SMS_REMOVED], manager.token)).body.details[0].id).toBe('AUTHF-PERM-403');
    expect((await addWebhook(t, organizationId, 'ftp://x', [SMS_REMOVED], owner.token)).status).toBe(400);
    expect((await addWebhook(t, organizationId, url, ['user.bogus'], owner.token)).status).toBe(400);
    const created = await addWebhook(t, organizationId, url, [SMS_REMOVED], owner.token);
    expect(created.status).toBe(200);
    const listed = await t.request('GET', `/v2/organizations/${organizationId}/webhooks`, { token: owner.token });
    expect(listed.body.result).toEqual([{ webhookId: created.body.webhookId, url, eventTypes: [SMS_REMOVED], active: true, creationDate: expect.any(String) }]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect((await t.request('GET', `/v2/organizations/${organizationId}/webhooks/nope/deliveries`, { token: owner.token })).body.details[0].id).toBe(
      'AUTHF-WEBHOOK-404',
    );
  });

  it('stores a fan-out of more deliveries than a statement can bind parameters (65,535) in one statement', async () => {
    const organizationId = await createOrganization(t);
    const event = await t.dataSource.getRepository(EventEntity).findOneOrFail({ where: { resourceOwner: organizationId }, order: { id: 'DESC' } });
    const deliveries = Array.from({ length: 20_000 }, (_, i) => ({ eventId: event.id, targetKind: 'webhook' as const, targetId: `bulk-${i}`, organizationId }));
    const rolledBack = new Error('rolled back on purpose: the rows belong to no webhook');
    const stored = t.app.get(TransactionRunner).run(async (tx) => {
      await t.app.get(OutboxRepository).insertDeliveries(tx, deliveries);
      // Run twice, as a fan-out may be: once per event and target.
      await t.app.get(OutboxRepository).insertDeliveries(tx, deliveries);
      expect(await tx.manager.countBy(DeliveryEntity, { eventId: event.id, targetKind: 'webhook' })).toBe(20_000);
      throw rolledBack;
    });
    await expect(stored).rejects.toBe(rolledBack);
  });

  describe('change history', () => {
    it('lists the removals newest first with sequence and actor, paginated by sequence, on v1 and v2', async () => {
      const organizationId = await createOrganization(t);
      const user = await createUser(t, organizationId);
      await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
      await t.request('POST', `/v2/users/${user.userId}/otp_email`, { token: t.adminToken });
      const smsRemoved = await t.request('DELETE', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token });
      const emailRemoved = await t.request('DELETE', `/v2/users/${user.userId}/otp_email`, { token: t.adminToken });
      expect([smsRemoved.status, emailRemoved.status]).toEqual([200, 200]);

      const mine = await t.request('POST', '/auth/v1/users/me/changes/_search', { token: user.token, body: {} });
      expect(mine.status).toBe(200);
      const sequences = mine.body.result.map((c: any) => Number(c.sequence));
      expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
      expect(mine.body.details).toMatchObject({ totalResult: String(sequences.length), processedSequence: emailRemoved.body.details.sequence });
      const [newest, second] = mine.body.result;
      expect(newest).toEqual({
        changeId: await eventIdOf(t, user.userId, emailRemoved.body.details.sequence),
        changeDate: emailRemoved.body.details.changeDate,
        eventType: { key: EMAIL_REMOVED, localizedMessage: 'OTP Email removed' },
        sequence: emailRemoved.body.details.sequence,
        editorId: t.bootstrapped.adminId,
        editorDisplayName: expect.any(String),
        editorPreferredLoginName: expect.any(String),
        resourceOwnerId: organizationId,
      });
      expect(second).toMatchObject({
        eventType: { key: SMS_REMOVED, localizedMessage: 'OTP SMS removed' },
        sequence: smsRemoved.body.details.sequence,
        editorId: user.userId,
        changeDate: smsRemoved.body.details.changeDate,
      });

      const page1 = await t.request('POST', '/auth/v1/users/me/changes/_search', { token: user.token, body: { query: { limit: 2 } } });
      expect(page1.body.result.map((c: any) => c.sequence)).toEqual(sequences.slice(0, 2).map(String));
      const page2 = await t.request('POST', '/auth/v1/users/me/changes/_search', {
        token: user.token,
        body: { query: { sequence: page1.body.result[1].sequence, limit: 2 } },
      });
      expect(page2.body.result.map((c: any) => c.sequence)).toEqual(sequences.slice(2, 4).map(String));
      const oldest = await t.request('POST', '/auth/v1/users/me/changes/_search', { token: user.token, body: { query: { asc: true, limit: 1 } } });
      expect(oldest.body.result).toEqual([expect.objectContaining({ sequence: '1', eventType: { key: 'user.human.added', localizedMessage: 'User added' } })]);
      expect((await t.request('POST', '/auth/v1/users/me/changes/_search', { token: user.token, body: { query: { limit: -1 } } })).status).toBe(400);

      const byAdmin = await t.request('POST', `/v2/users/${user.userId}/changes/_search`, { token: t.adminToken, body: { query: { limit: 1 } } });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.result).toEqual([newest]);
      const outsider = await createUser(t, await createOrganization(t));
      const hidden = await t.request('POST', `/v2/users/${user.userId}/changes/_search`, { token: outsider.token, body: {} });
      expect([hidden.status, hidden.body.details[0].id]).toEqual([404, 'AUTHF-USER-404']);
      const creator = await createUser(t, organizationId);
      await grantRoles(t, organizationId, creator.userId, ['ORG_PROJECT_CREATOR']);
      expect((await t.request('POST', `/v2/users/${user.userId}/changes/_search`, { token: creator.token })).status).toBe(403);
    });
  });
});

describe('Outbox across restarts, crashes and instances', () => {
  const receivers: WebhookReceiver[] = [];
  const instances: TestApp[] = [];
  const processes: ServiceProcess[] = [];
  const receiver = async (respond?: ConstructorParameters<typeof WebhookReceiver>[0]) => {
    const r = await new WebhookReceiver(respond).start();
    receivers.push(r);
    return r;
  };

  /**
   * An in-process instance on a fresh database, to set up organizations, webhooks and users and to read the tables.
   * Its dispatcher polls once at start, then not for an hour: the instances under test do the delivering.
   */
  const idleInstance = async () => {
    const t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '3600000', ...LOOPBACK_RECEIVERS });
    instances.push(t);
    await waitFor('its first poll', async () => (await t.request('GET', '/readyz')).body?.info?.outbox?.lastPollAt);
    return t;
  };

  /** The real service as a child process, on the database (and signing key) of `operator`. */
  const serviceOn = async (operator: TestApp, env: Record<string, string>) => {
    const service = await ServiceProcess.start({
      databaseUrl: operator.config.databaseUrl!,
      dataDir: operator.config.dataDir,
      env: { ...LOOPBACK_RECEIVERS, ...env },
    });
    processes.push(service);
    return service;
  };

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
    await Promise.all(instances.splice(0).map((t) => t.close()));
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
  });

  it('delivers exactly once an event committed by an instance killed (SIGKILL) before it could deliver, once a new instance runs', async () => {
    const operator = await idleInstance();
    const hook = await receiver();
    // The instance under test polls once at start, then not for an hour: it dies between the commit and any delivery.
    const killed = await serviceOn(operator, { OUTBOX_POLL_INTERVAL_MS: '3600000' });
    await waitFor('its first poll', async () => (await call(killed, 'GET', '/readyz')).body?.info?.outbox?.lastPollAt);
    const organizationId = await createOrganization(operator);
    await addWebhook(operator, organizationId, hook.url, [SMS_REMOVED]);
    const user = await userWithOtpSms(operator, organizationId);
    const removed = await call(killed, 'DELETE', `/v2/users/${user.userId}/otp_sms`, operator.adminToken);
    expect(removed.status).toBe(200);
    const eventId = await eventIdOf(operator, user.userId, removed.body.details.sequence);
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(await deliveriesOf(operator, eventId)).toEqual([]); // committed, not yet fanned out
    expect(hook.arrivals).toHaveLength(0);

    // No SMTP_URL here: the security e-mail is counted as unsent, with no delivery stored for it (nothing could ever send it).
    const successor = await serviceOn(operator, FAST_OUTBOX);
    await waitFor('the delivery finished', async () => (await deliveriesOf(operator, eventId)).some((d) => d.status !== 'pending'), 30_000);
    await settle(500); // several more polls: nothing is sent twice
    expect(hook.arrivals.filter((a) => a.body.id === eventId).map((a) => a.attempt)).toEqual([1]);
    expect(hook.of(eventId).map((r) => r.answeredWith)).toEqual([200]);
    expect(await deliveriesOf(operator, eventId)).toEqual([{ targetKind: 'webhook', status: 'delivered', attempts: 1, lastError: null }]);
    expect((await call(successor, 'GET', '/metrics')).body).toMatch(/^auth_factors_outbox_security_mails_unsent_total [1-9]/m);
    expect(successor.running).toBe(true);
  }, 180_000);

  it('attempts again, once its lease ends, a delivery whose instance was killed (SIGKILL) while the receiver had the request', async () => {
    const operator = await idleInstance();
    let requestArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    let held = false;
    // The first request is never answered: the instance is killed while it waits.
    const hook = await receiver(() => {
      if (held) return 200;
      held = true;
      requestArrived();
      return new Promise<number>(() => undefined);
    });
    // A short delivery timeout makes a short lease (a few times the timeout, plus a margin).
    const killed = await serviceOn(operator, { ...FAST_OUTBOX, OUTBOX_DELIVERY_TIMEOUT_MS: '3000' });
    const organizationId = await createOrganization(operator);
    await addWebhook(operator, organizationId, hook.url, [SMS_REMOVED]);
    const user = await userWithOtpSms(operator, organizationId);
    const removed = await call(killed, 'DELETE', `/v2/users/${user.userId}/otp_sms`, operator.adminToken);
    expect(removed.status).toBe(200);
    const eventId = await eventIdOf(operator, user.userId, removed.body.details.sequence);
    await arrived;
    const killedAt = new Date();
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');

    // Nothing was recorded; the claim's lease keeps other instances off the delivery until it ends.
    const leased = await operator.dataSource
      .getRepository(DeliveryEntity)
      .find({ select: { status: true, attempts: true, nextAttemptAt: true }, where: { eventId, targetKind: 'webhook' } });
    expect(leased).toEqual([expect.objectContaining({ status: 'pending', attempts: 0, nextAttemptAt: expect.any(Date) })]);
    expect(leased[0].nextAttemptAt.getTime()).toBeGreaterThan(killedAt.getTime());

    const successor = await killed.restart();
    processes.push(successor);
    await waitFor('the delivery after the lease', async () => (await deliveriesOf(operator, eventId)).every((d) => d.status !== 'pending'), 60_000);
    await settle(500);
    const arrivals = hook.arrivals.filter((a) => a.body.id === eventId);
    // The killed attempt was never recorded, so the next one is attempt 1 again, with the same event id.
    expect(arrivals.map((a) => a.attempt)).toEqual([1, 1]);
    expect(arrivals[1].receivedAt.getTime()).toBeGreaterThanOrEqual(leased[0].nextAttemptAt.getTime());
    expect(arrivals[1].body).toEqual(arrivals[0].body);
    expect(hook.of(eventId).map((r) => r.answeredWith)).toEqual([200]);
    expect(await deliveriesOf(operator, eventId)).toEqual([{ targetKind: 'webhook', status: 'delivered', attempts: 1, lastError: null }]);
    expect(await webhookAttemptsOf(operator, eventId)).toEqual([{ attempt: 1, outcome: 'delivered', error: null }]);
    expect(successor.running).toBe(true);
  }, 180_000);

  it('fans out new events while a delivery is in flight: no transaction is held open across a delivery', async () => {
    const databaseUrl = await createTestDatabase();
    let slowUserId = '';
    let releaseSlow!: () => void;
    const slowAnswer = new Promise<number>((resolve) => (releaseSlow = () => resolve(200)));
    const hook = await receiver((body) => (body.userId === slowUserId ? slowAnswer : 200));
    // The delivery timeout is long enough that the slow delivery is still in flight when the new event is checked.
    const env = { DATABASE_URL: databaseUrl, ...FAST_OUTBOX, ...LOOPBACK_RECEIVERS, OUTBOX_DELIVERY_TIMEOUT_MS: '9000' };
    const one = await startTestApp(env);
    instances.push(one);
    instances.push(await startTestApp({ ...env, DATA_DIR: one.config.dataDir }));
    try {
      const organizationId = await createOrganization(one);
      await addWebhook(one, organizationId, hook.url, [SMS_REMOVED]);
      const slow = await userWithOtpSms(one, organizationId);
      const other = await userWithOtpSms(one, organizationId);
      slowUserId = slow.userId;
      const slowRemoved = await one.request('DELETE', `/v2/users/${slow.userId}/otp_sms`, { token: one.adminToken });
      const slowEventId = await eventIdOf(one, slow.userId, slowRemoved.body.details.sequence);
      await waitFor('the slow delivery in flight', () => hook.arrivals.some((a) => a.body.id === slowEventId));

      // One instance waits for the slow receiver; the other fans out an event committed meanwhile.
      const otherRemoved = await one.request('DELETE', `/v2/users/${other.userId}/otp_sms`, { token: one.adminToken });
      const otherEventId = await eventIdOf(one, other.userId, otherRemoved.body.details.sequence);
      await waitFor('the new event fanned out', async () => (await deliveriesOf(one, otherEventId)).length > 0);
      expect(hook.of(slowEventId)).toHaveLength(0);
      expect((await deliveriesOf(one, slowEventId)).find((d) => d.targetKind === 'webhook')).toEqual({
        targetKind: 'webhook',
        status: 'pending',
        attempts: 0,
        lastError: null,
      });

      releaseSlow();
      await waitFor('both delivered', async () => {
        const rows = [...(await deliveriesOf(one, slowEventId)), ...(await deliveriesOf(one, otherEventId))];
        return rows.filter((d) => d.targetKind === 'webhook' && d.status === 'delivered' && d.attempts === 1).length === 2;
      });
      expect(hook.arrivals.filter((a) => a.body.id === slowEventId)).toHaveLength(1);
    } finally {
      releaseSlow();
    }
  });

  it('never lets two instances make the same attempt at once', async () => {
    const databaseUrl = await createTestDatabase();
    // Every event fails its first attempt and succeeds on its second, slowly: claims of both instances overlap.
    const hook = await new WebhookReceiver(async (_, seen) => {
      await settle(30);
      return seen === 1 ? 500 : 200;
    }).start();
    receivers.push(hook);
    const env = {
      DATABASE_URL: databaseUrl,
      ...FAST_OUTBOX,
      ...LOOPBACK_RECEIVERS,
      OUTBOX_POLL_INTERVAL_MS: '20',
      OUTBOX_RETRY_BASE_MS: '20',
      OUTBOX_BATCH_SIZE: '3',
    };
    const one = await startTestApp(env);
    const two = await startTestApp({ ...env, DATA_DIR: one.config.dataDir });
    try {
      const organizationId = await createOrganization(one);
      await addWebhook(one, organizationId, hook.url, [SMS_ADDED, SMS_REMOVED]);
      const users = await Promise.all(Array.from({ length: 12 }, (_, i) => createUser(i % 2 ? one : two, organizationId)));
      await Promise.all(users.map((u, i) => (i % 2 ? two : one).request('POST', `/v2/users/${u.userId}/otp_sms`, { token: one.adminToken })));
      await Promise.all(users.map((u, i) => (i % 2 ? one : two).request('DELETE', `/v2/users/${u.userId}/otp_sms`, { token: u.token })));
      const expected = users.length * 2;

      await waitFor(
        'every delivery delivered',
        async () => {
          return (await one.dataSource.getRepository(DeliveryEntity).countBy({ targetKind: 'webhook', status: 'delivered' })) === expected;
        },
        30_000,
      );
      await settle(300);
      const perAttempt = new Map<string, number>();
      for (const r of hook.receipts) perAttempt.set(`${r.body.id}#${r.attempt}`, (perAttempt.get(`${r.body.id}#${r.attempt}`) ?? 0) + 1);
      expect(new Set(hook.receipts.map((r) => r.body.id)).size).toBe(expected);
      expect([...perAttempt.values()].every((n) => n === 1)).toBe(true);
      expect(perAttempt.size).toBe(expected * 2);
      const rows = await one.dataSource.getRepository(DeliveryEntity).find({ select: { attempts: true }, where: { targetKind: 'webhook' } });
      expect(rows.every((r) => r.attempts === 2)).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('follows a round that stopped at its batch limit at once, not after the poll interval', async () => {
    const operator = await idleInstance();
    const hook = await receiver();
    const organizationId = await createOrganization(operator);
    await addWebhook(operator, organizationId, hook.url, [SMS_ADDED]);
    // 24 additions: 24 webhook deliveries (no e-mail deliveries without SMTP), more than one round's 20 batches of 1.
    await Promise.all(Array.from({ length: 24 }, () => userWithOtpSms(operator, organizationId)));
    // Its first round at start finds them all; the next timed round would be an hour later.
    await serviceOn(operator, { OUTBOX_POLL_INTERVAL_MS: '3600000', OUTBOX_BATCH_SIZE: '1' });
    await waitFor(
      'every delivery finished',
      async () => {
        const deliveries = await operator.dataSource.getRepository(DeliveryEntity).find({ select: { status: true } });
        return deliveries.length === 24 && deliveries.every((d) => d.status !== 'pending');
      },
      30_000,
    );
    expect(new Set(hook.receipts.map((r) => r.body.id)).size).toBe(24);
  }, 60_000);
});
