import { EventEntity } from '@app/eventstore';
import { MoreThan } from 'typeorm';
import { DeliveryEntity } from '../src/outbox/entities/delivery.entity';
import { OutboxCursorEntity } from '../src/outbox/entities/outbox-cursor.entity';
import { signWebhook } from '../src/outbox/webhook.sender';
import { MAX_WEBHOOKS_PER_ORGANIZATION } from '../src/outbox/webhooks.service';
import { createOrganization, createUser, eventIdOf, grantRoles, storedEvents } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { Receipt, WebhookReceiver, waitFor } from './support/webhook-receiver';

const SMS_ADDED = 'user.human.otp.sms.added';

/** Whether a receipt carries a valid signature under `secret`. */
const signedWith = (receipt: Receipt, secret: string) =>
  receipt.headers['x-authfactors-signature'] === signWebhook(secret, String(receipt.headers['x-authfactors-timestamp']), receipt.rawBody);

describe('webhook management', () => {
  let t: TestApp;
  let org: string;
  let receiver: WebhookReceiver;
  let failing: WebhookReceiver;
  const base = () => `/v2/organizations/${org}/webhooks`;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    failing = await new WebhookReceiver(() => 500).start();
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '50', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    org = await createOrganization(t);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([receiver.stop(), failing.stop()]);
  });

  const add = async (url = receiver.url, eventTypes = [SMS_ADDED]) => {
    const response = await t.request('POST', base(), { token: t.adminToken, body: { url, eventTypes } });
    expect(response.status).toBe(200);
    return response.body as { webhookId: string; secret: string };
  };
  /** Adds OTP SMS for a new user of the organization; returns the event id. */
  const smsAdded = async (): Promise<string> => {
    const user = await createUser(t, org);
    expect((await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken })).status).toBe(200);
    return eventIdOf(t, user.userId, { type: SMS_ADDED });
  };
  const orgEvents = async (type: string): Promise<Record<string, unknown>[]> =>
    (await t.dataSource.getRepository(EventEntity).find({ where: { aggregateId: org, type }, order: { id: 'ASC' } })).map((event) => event.payload);

  it('changes url, event types and active; a paused webhook gets no new deliveries, and every change is an event', async () => {
    const { webhookId } = await add(failing.url, ['*']);
    const changed = await t.request('PATCH', `${base()}/${webhookId}`, {
      token: t.adminToken,
      body: { url: receiver.url, eventTypes: [SMS_ADDED], active: false },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ webhookId, url: receiver.url, eventTypes: [SMS_ADDED], active: false, details: { sequence: expect.any(String) } });
    expect(changed.body.secret).toBeUndefined();
    expect((await t.request('GET', base(), { token: t.adminToken })).body.result).toContainEqual(expect.objectContaining({ webhookId, active: false }));
    expect(await orgEvents('org.webhook.changed')).toContainEqual({ webhookId, url: receiver.url, eventTypes: [SMS_ADDED], active: false });

    const whilePaused = await smsAdded();
    // Fan-out reads `active` when it reaches the event: wait until it has, then resume.
    await waitFor(
      'the fan-out past the event',
      async () => Number((await t.dataSource.getRepository(OutboxCursorEntity).findOneByOrFail({ id: 1 })).eventId) >= Number(whilePaused),
    );
    expect((await t.request('PATCH', `${base()}/${webhookId}`, { token: t.adminToken, body: { active: true } })).status).toBe(200);
    const afterResume = await smsAdded();
    await waitFor('the delivery after resuming', () => receiver.of(afterResume).length > 0);
    expect(receiver.of(whilePaused)).toEqual([]);
  });

  it('refuses an empty change (400), a private URL without the setting (see webhook-targets), and an unknown webhook (404)', async () => {
    const { webhookId } = await add();
    const empty = await t.request('PATCH', `${base()}/${webhookId}`, { token: t.adminToken, body: {} });
    expect({ status: empty.status, id: empty.body.details[0].id }).toEqual({ status: 400, id: 'AUTHF-WEBHOOK-EMPTY' });
    const badUrl = await t.request('PATCH', `${base()}/${webhookId}`, { token: t.adminToken, body: { url: 'ftp://example.com/' } });
    expect(badUrl.status).toBe(400);
    for (const [method, path] of [
      ['PATCH', `${base()}/404404`],
      ['DELETE', `${base()}/404404`],
      ['POST', `${base()}/404404/_rotate_secret`],
      ['POST', `${base()}/404404/_test`],
    ]) {
      const response = await t.request(method, path, { token: t.adminToken, body: method === 'PATCH' ? { active: false } : undefined });
      expect({ method, path, status: response.status, id: response.body.details[0].id }).toEqual({ method, path, status: 404, id: 'AUTHF-WEBHOOK-404' });
    }
  });

  it('rotates the secret: shown once, deliveries sign with the new one, neither the list nor the event log holds it', async () => {
    const { webhookId, secret: old } = await add();
    const rotated = await t.request('POST', `${base()}/${webhookId}/_rotate_secret`, { token: t.adminToken });
    expect(rotated.status).toBe(200);
    const secret: string = rotated.body.secret;
    expect(secret).toMatch(/^whsec-[0-9a-f]{48}$/);
    expect(secret).not.toBe(old);
    const eventId = await smsAdded();
    // Other webhooks of these tests share the receiver: one of the receipts is this webhook's.
    await waitFor('the delivery', () => receiver.of(eventId).some((receipt) => signedWith(receipt, secret)));
    expect(receiver.of(eventId).some((receipt) => signedWith(receipt, old))).toBe(false);
    expect(JSON.stringify((await t.request('GET', base(), { token: t.adminToken })).body)).not.toContain(secret);
    expect(await orgEvents('org.webhook.secret.rotated')).toContainEqual({ webhookId });
    expect(JSON.stringify(await storedEvents(t, org))).not.toContain(secret);
  });

  it('sends a signed test event and tells what came of it', async () => {
    const ok = await add();
    const answered = await t.request('POST', `${base()}/${ok.webhookId}/_test`, { token: t.adminToken });
    expect(answered.body).toEqual({ delivered: true });
    const test = receiver.receipts.find((r) => r.body.type === 'webhook.test' && r.body.organizationId === org);
    expect(test && signedWith(test, ok.secret)).toBe(true);

    const bad = await add(failing.url);
    expect((await t.request('POST', `${base()}/${bad.webhookId}/_test`, { token: t.adminToken })).body).toEqual({ delivered: false, error: 'HTTP 500' });
  });

  it('deletes a webhook: gone from the list, no delivery for later events, recorded as an event', async () => {
    const { webhookId } = await add();
    const removed = await t.request('DELETE', `${base()}/${webhookId}`, { token: t.adminToken });
    expect(removed.status).toBe(200);
    expect((await t.request('GET', base(), { token: t.adminToken })).body.result.map((w: { webhookId: string }) => w.webhookId)).not.toContain(webhookId);
    const eventId = await smsAdded();
    const deliveries = t.dataSource.getRepository(DeliveryEntity);
    await waitFor('the event fanned out', () => deliveries.existsBy({ eventId }));
    expect(await deliveries.existsBy({ targetId: webhookId, eventId })).toBe(false);
    expect(await orgEvents('org.webhook.removed')).toContainEqual({ webhookId });
  });

  it('holds an organization to its webhook limit, concurrent additions included (400 AUTHF-WEBHOOK-LIMIT), and frees a place on deletion', async () => {
    const own = await createOrganization(t);
    const addTo = () => t.request('POST', `/v2/organizations/${own}/webhooks`, { token: t.adminToken, body: { url: receiver.url, eventTypes: [SMS_ADDED] } });
    const answers = await Promise.all(Array.from({ length: MAX_WEBHOOKS_PER_ORGANIZATION + 10 }, addTo));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(MAX_WEBHOOKS_PER_ORGANIZATION);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused.map((answer) => [answer.status, answer.body.code, answer.body.details[0].id])).toEqual(Array(10).fill([400, 9, 'AUTHF-WEBHOOK-LIMIT']));
    const listed = (await t.request('GET', `/v2/organizations/${own}/webhooks`, { token: t.adminToken })).body.result as { webhookId: string }[];
    expect(listed).toHaveLength(MAX_WEBHOOKS_PER_ORGANIZATION);
    expect((await t.request('DELETE', `/v2/organizations/${own}/webhooks/${listed[0].webhookId}`, { token: t.adminToken })).status).toBe(200);
    expect((await addTo()).status).toBe(200);
    expect((await addTo()).body.details[0].id).toBe('AUTHF-WEBHOOK-LIMIT');
  });

  it('filters deliveries by status and refuses an unknown status', async () => {
    const { webhookId } = await add(failing.url);
    const eventId = await smsAdded();
    await waitFor('a failed attempt', () => t.dataSource.getRepository(DeliveryEntity).existsBy({ eventId, attempts: MoreThan(0) }));
    const pending = await t.request('GET', `${base()}/${webhookId}/deliveries?status=pending`, { token: t.adminToken });
    expect(pending.body.result.map((d: { eventId: string; status: string }) => [d.eventId, d.status])).toEqual([[eventId, 'pending']]);
    expect((await t.request('GET', `${base()}/${webhookId}/deliveries?status=delivered`, { token: t.adminToken })).body.result).toEqual([]);
    expect((await t.request('GET', `${base()}/${webhookId}/deliveries?status=nonsense`, { token: t.adminToken })).status).toBe(400);
  });

  it('lets no one without org.webhook.write change, delete, rotate or test a webhook (403), and changes nothing', async () => {
    const { webhookId } = await add();
    const plain = await createUser(t, org);
    await grantRoles(t, org, plain.userId, ['ORG_USER_MANAGER']); // a member, but without org.webhook.write
    for (const [method, path] of [
      ['PATCH', `${base()}/${webhookId}`],
      ['DELETE', `${base()}/${webhookId}`],
      ['POST', `${base()}/${webhookId}/_rotate_secret`],
      ['POST', `${base()}/${webhookId}/_test`],
    ]) {
      const response = await t.request(method, path, { token: plain.token, body: method === 'PATCH' ? { active: false } : undefined });
      expect({ method, path, status: response.status, id: response.body.details[0].id }).toEqual({ method, path, status: 403, id: 'AUTHF-PERM-403' });
    }
    expect((await t.request('GET', base(), { token: t.adminToken })).body.result).toContainEqual(expect.objectContaining({ webhookId, active: true }));
  });
});
