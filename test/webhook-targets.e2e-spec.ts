import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer, Server } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { hostname } from 'node:os';
import { DeliveryEntity } from '../src/outbox/entities/delivery.entity';
import { WebhookEntity } from '../src/outbox/entities/webhook.entity';
import { isPublicAddress } from '../src/outbox/webhook-address.policy';
import { createOrganization, createUser, eventIdOf } from './support/fixtures';
import { freePort } from './support/free-port';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/webhook-receiver';

const SMS_ADDED = 'user.human.otp.sms.added';
const FAST_OUTBOX = { OUTBOX_POLL_INTERVAL_MS: '50', OUTBOX_RETRY_BASE_MS: '100', OUTBOX_RETRY_MAX_MS: '400', OUTBOX_MAX_ATTEMPTS: '3' };

/** A TCP listener on every interface that only counts who connects: a refused delivery must never reach it. */
class ConnectionCounter {
  connections = 0;
  private server?: TcpServer;
  port = 0;

  async start(): Promise<this> {
    this.server = createTcpServer((socket: Socket) => {
      this.connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

const addWebhook = (t: TestApp, organizationId: string, url: string) =>
  t.request('POST', `/v2/organizations/${organizationId}/webhooks`, { token: t.adminToken, body: { url, eventTypes: ['*'] } });

/** Adds OTP SMS for a new user of the organization: one event every webhook of it subscribes to. Returns the event id. */
async function oneEvent(t: TestApp, organizationId: string): Promise<string> {
  const user = await createUser(t, organizationId);
  expect((await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken })).status).toBe(200);
  return eventIdOf(t, user.userId, { type: SMS_ADDED });
}

const webhookDeliveries = (t: TestApp, eventId: string): Promise<DeliveryEntity[]> =>
  t.dataSource.getRepository(DeliveryEntity).find({ where: { eventId, targetKind: 'webhook' }, order: { targetId: 'ASC' } });

describe('which addresses are public', () => {
  it.each([
    ['127.0.0.1'],
    ['127.1.2.3'],
    ['0.0.0.0'],
    ['10.1.2.3'],
    ['172.16.0.1'],
    ['192.168.1.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['::'],
    ['::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['::ffff:a9fe:a9fe'],
    ['64:ff9b::7f00:1'],
    ['fd00:ec2::254'],
    ['fc12::1'],
    ['fe80::1%eth0'],
    ['ff02::1'],
    ['not an address'],
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each([['8.8.8.8'], ['1.1.1.1'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808']])('accepts %s', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );
});

describe('webhooks cannot reach private networks by default (no WEBHOOK_ALLOW_PRIVATE_NETWORKS)', () => {
  let t: TestApp;
  let org: string;
  const servers: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    t = await startTestApp(FAST_OUTBOX);
    org = await createOrganization(t);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('refuses loopback, link-local, private, unique-local, metadata, IPv4-mapped and hex or decimal IPv4 URLs with 400 AUTHF-WEBHOOK-URL, storing nothing', async () => {
    const counter = await new ConnectionCounter().start();
    servers.push(counter);
    const databasePort = new URL(t.config.databaseUrl!).port;
    const urls = [
      `http://127.0.0.1:${databasePort}/`,
      `http://localhost:${new URL(t.url).port}/metrics`,
      `http://LocalHost:${counter.port}/`,
      `http://api.localhost:${counter.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${counter.port}/`,
      `http://[::ffff:127.0.0.1]:${counter.port}/`,
      `http://[::ffff:7f00:1]:${counter.port}/`,
      `http://0x7f000001:${counter.port}/`,
      `http://2130706433:${counter.port}/`,
      `http://0177.0.0.1:${counter.port}/`,
      `http://127.1:${counter.port}/`,
      `http://0.0.0.0:${counter.port}/`,
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'https://192.168.0.1/',
      'http://100.64.0.1/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
    ];
    // The DTO's URL rule already refuses some IPv4 shorthands (decimal, octal, short forms); the address policy the rest.
    const refusedByUrlRule = new Set([`http://2130706433:${counter.port}/`, `http://0177.0.0.1:${counter.port}/`, `http://127.1:${counter.port}/`]);
    const answers = [];
    for (const url of urls) {
      const response = await addWebhook(t, org, url);
      answers.push({ url, status: response.status, id: response.body?.details?.[0]?.id });
    }
    expect(answers).toEqual(urls.map((url) => ({ url, status: 400, id: refusedByUrlRule.has(url) ? 'AUTHF-REQ-400' : 'AUTHF-WEBHOOK-URL' })));
    expect(await t.dataSource.getRepository(WebhookEntity).findBy({ organizationId: org })).toEqual([]);
    expect(counter.connections).toBe(0);
  });

  it('refuses at delivery a DNS name that resolves to loopback, on the address it resolves to; open and closed ports fail alike', async () => {
    const name = hostname();
    const resolved = await lookup(name, { all: true });
    // The premise: this host's own name resolves to a non-public address (loopback in /etc/hosts, or the container's).
    expect(resolved.filter((a) => isPublicAddress(a.address))).toEqual([]);
    const open = await new ConnectionCounter().start();
    servers.push(open);
    const closedPort = await freePort();
    const openHook = await addWebhook(t, org, `http://${name}:${open.port}/hook`);
    const closedHook = await addWebhook(t, org, `http://${name}:${closedPort}/hook`);
    expect([openHook.status, closedHook.status]).toEqual([200, 200]); // a name is judged when it is resolved, at delivery

    const eventId = await oneEvent(t, org);
    const failed = await waitFor('both deliveries to fail', async () => {
      const rows = await webhookDeliveries(t, eventId);
      return rows.length === 2 && rows.every((r) => r.attempts >= 1) ? rows : undefined;
    });
    expect(open.connections).toBe(0);
    expect(failed.map((r) => r.lastError)).toEqual([
      `refused: ${name} is not a public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
      `refused: ${name} is not a public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
    ]);
    // What an organization owner reads back says no more than the table.
    const listed = await t.request('GET', `/v2/organizations/${org}/webhooks/${openHook.body.webhookId}/deliveries`, { token: t.adminToken });
    expect(listed.body.result[0].lastError).toBe(failed[0].lastError);
  });
});

describe('webhook responses', () => {
  let t: TestApp;
  let server: Server;
  let bytesSent = 0;
  let url = '';

  beforeAll(async () => {
    // An answer that never ends: 200 and then a megabyte after another until the client hangs up.
    server = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const pump = () => {
        while (!response.destroyed && bytesSent < 1024 * 1024 * 1024) {
          bytesSent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    t = await startTestApp({ ...FAST_OUTBOX, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterAll(async () => {
    await t.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a receiver’s answer only up to a small limit: a never-ending 200 body is cut off and the delivery counts as delivered at once', async () => {
    const org = await createOrganization(t);
    expect((await addWebhook(t, org, url)).status).toBe(200);
    const startedAt = Date.now();
    const eventId = await oneEvent(t, org);
    const [delivery] = await waitFor('the delivery', async () => {
      const rows = await webhookDeliveries(t, eventId);
      return rows[0]?.attempts ? rows : undefined;
    });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
    expect(Date.now() - startedAt).toBeLessThan(t.config.outbox.deliveryTimeoutMs);
    // What the sockets' buffers took before the hang-up, not the gigabyte on offer.
    expect(bytesSent).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('one organization’s dead endpoint cannot stall the others', () => {
  let t: TestApp;
  let stuck: Server;
  let stuckUrl = '';
  /** Requests the dead endpoints hold open now, by path (one path per webhook), and the most any path held at once. */
  const open = new Map<string, number>();
  let maxOpenPerWebhook = 0;
  let received = 0;

  beforeAll(async () => {
    // Takes every request and never answers it; the client's timeout closes it.
    stuck = createHttpServer((request) => {
      const path = request.url ?? '';
      received++;
      open.set(path, (open.get(path) ?? 0) + 1);
      maxOpenPerWebhook = Math.max(maxOpenPerWebhook, open.get(path)!);
      request.resume();
      request.socket.once('close', () => open.set(path, open.get(path)! - 1));
    });
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    stuckUrl = `http://127.0.0.1:${(stuck.address() as AddressInfo).port}/never`;
    t = await startTestApp({ ...FAST_OUTBOX, OUTBOX_MAX_ATTEMPTS: '10', OUTBOX_DELIVERY_TIMEOUT_MS: '3000', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterAll(async () => {
    await t.close();
    stuck.closeAllConnections();
    await new Promise((resolve) => stuck.close(resolve));
  });

  it('delivers another organization’s events within a second while 10 webhooks of one organization hang on 20 changes, one request per webhook at a time', async () => {
    const noisy = await createOrganization(t);
    for (let i = 0; i < 10; i++) expect((await addWebhook(t, noisy, `${stuckUrl}/${i}`)).status).toBe(200);
    const quiet = await createOrganization(t);
    const arrivals: number[] = [];
    const prompt = createHttpServer((request, response) => {
      request.resume();
      arrivals.push(Date.now());
      response.end('ok');
    });
    await new Promise<void>((resolve) => prompt.listen(0, '127.0.0.1', resolve));
    try {
      expect((await addWebhook(t, quiet, `http://127.0.0.1:${(prompt.address() as AddressInfo).port}/hook`)).status).toBe(200);

      // 20 changes in the noisy organization (each user's creation and factor are events too): hundreds of deliveries that hang.
      for (let i = 0; i < 20; i++) await oneEvent(t, noisy);
      await waitFor('the dead endpoints to hold requests', () => received >= 10);

      const latencies: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = arrivals.length;
        const changedAt = Date.now();
        await oneEvent(t, quiet);
        await waitFor('the quiet organization’s delivery', () => arrivals.length > before, 10_000);
        latencies.push(arrivals[arrivals.length - 1] - changedAt);
      }
      expect(Math.max(...latencies)).toBeLessThan(1000);
      expect(maxOpenPerWebhook).toBe(1);
    } finally {
      prompt.closeAllConnections();
      await new Promise((resolve) => prompt.close(resolve));
    }
  });
});
