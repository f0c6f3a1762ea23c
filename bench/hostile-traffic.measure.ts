/**
 * Figures of the service under the attacks of "hostile traffic" (memory, /healthz latency, time to answer), one
 * service process per run, everything on 127.0.0.1 and bounded in time. Runs under jest for its shared PostgreSQL:
 *
 *   npm run test:jest -- --roots='<rootDir>/bench' --testRegex='hostile-traffic\.measure\.ts$'
 *
 * It prints one JSON line per attack (`HOSTILE {...}`); it asserts nothing: the tests do.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { AddressInfo, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { issueToken, loadOrCreateSigningKey } from '@app/auth';
import { freePort } from '../test/support/free-port';
import { ServiceProcess } from '../test/support/service-process';
import { createTestDatabase } from '../test/support/test-postgres';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attack` while sampling the service's RSS and probing /healthz; returns the peaks and how long the attack took. */
async function measure(service: ServiceProcess, name: string, attack: () => Promise<string | void>): Promise<void> {
  let done = false;
  const baseline = rssMb(service.pid);
  let peak = baseline;
  let slowestHealthz = 0;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, rssMb(service.pid));
      const startedAt = performance.now();
      await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      slowestHealthz = Math.max(slowestHealthz, performance.now() - startedAt);
      await sleep(20);
    }
  })();
  const startedAt = performance.now();
  const outcome = await attack().catch((error: Error) => `error: ${error.message}`);
  const ms = Math.round(performance.now() - startedAt);
  done = true;
  await sampler;
  console.log(
    `HOSTILE ${JSON.stringify({ attack: name, ms, outcome, rssBaselineMb: Math.round(baseline), rssPeakMb: Math.round(peak), slowestHealthzMs: Math.round(slowestHealthz) })}`,
  );
}

it('measures the service under hostile traffic', async () => {
  const databaseUrl = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-hostile-'));
  const grpcPort = await freePort();
  // A receiver streaming a gigabyte, and one that never answers: webhook targets on loopback need the setting (ignored before it existed).
  let streamed = 0;
  const huge: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200);
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const pump = () => {
      while (!response.destroyed && streamed < 1024 * 1024 * 1024) {
        streamed += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  });
  const stuck: Server = createServer((request) => request.resume());
  const arrivals: number[] = [];
  const prompt: Server = createServer((request, response) => {
    request.resume();
    arrivals.push(Date.now());
    response.end('ok');
  });
  for (const server of [huge, stuck, prompt]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const service = await ServiceProcess.start({
    databaseUrl,
    dataDir,
    env: { GRPC_PORT: String(grpcPort), WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', OUTBOX_POLL_INTERVAL_MS: '100' },
  });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const adminId: string = (await db.query("SELECT id FROM users WHERE username = 'admin'")).rows[0].id;
    const token = issueToken(loadOrCreateSigningKey(dataDir), { subject: adminId, issuer: 'auth-factors-local', audience: 'auth-factors' });
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };
    await sleep(1000);

    await measure(service, 'deep JSON: 1 MB of [[[...]]] from a signed-in user', async () => {
      const response = await fetch(`${service.url}/auth/v1/users/me/auth_factors/otp_sms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '['.repeat(500_000) + ']'.repeat(500_000),
      });
      return `HTTP ${response.status} ${((await response.json()) as { details?: { id: string }[] }).details?.[0]?.id}`;
    });

    await measure(service, 'HTTP/2: 6,000 half-sent streams on one connection to the gRPC port, no token (held 5 s)', async () => {
      const session = http2Connect(`http://127.0.0.1:${grpcPort}`);
      session.on('error', () => undefined);
      let opened = 0;
      for (let i = 0; i < 6000; i++) {
        const stream = session.request({ ':method': 'POST', ':path': '/zitadel.user.v2.UserService/GetUserByID', 'content-type': 'application/grpc' });
        stream.on('error', () => undefined);
        stream.write(Buffer.from([0, 0, 0, 4, 0]));
        opened++;
        if (opened % 100 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the /healthz probe of this process run
      }
      await sleep(5000);
      const max = session.remoteSettings.maxConcurrentStreams;
      session.destroy();
      return `${opened} streams asked; server allows ${max} at once`;
    });

    await measure(service, 'gRPC-web: a 2 MB frame announced, 64 KB sent, then silence (until closed, at most 15 s)', async () => {
      const frame = Buffer.alloc(5 + 64 * 1024);
      frame.writeUInt32BE(2 * 1024 * 1024, 1);
      return new Promise<string>((resolve) => {
        const socket = tcpConnect(service.port, '127.0.0.1');
        const startedAt = Date.now();
        const timer = setTimeout(() => {
          socket.destroy();
          resolve('connection still open after 15 s');
        }, 15_000);
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(`connection closed after ${Date.now() - startedAt} ms`);
        });
        socket.write(
          `POST /zitadel.user.v2.UserService/AddHumanUser HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web+proto\r\ncontent-length: ${5 + 2 * 1024 * 1024}\r\nauthorization: Bearer ${token}\r\n\r\n`,
        );
        socket.write(frame);
      });
    });

    const orgOf = async (name: string) => (await api('POST', '/v2/organizations', { name })).body.organizationId as string;
    const userWithEvent = async (organizationId: string) => {
      const user = await api('POST', '/v2/users/human', {
        username: `u-${Date.now()}-${Math.random()}`,
        organization: { orgId: organizationId },
        profile: { givenName: 'A', familyName: 'B' },
      });
      await api('POST', `/v2/users/${user.body.userId}/otp_email`, {});
    };

    await measure(service, 'webhook answer of 1,000 MB (until the delivery is recorded, at most 30 s)', async () => {
      const org = await orgOf('huge-answer');
      await api('POST', `/v2/organizations/${org}/webhooks`, { url: urlOf(huge), eventTypes: ['*'] });
      const startedAt = Date.now();
      await userWithEvent(org);
      while (Date.now() - startedAt < 30_000) {
        const rows = (await db.query(`SELECT status, attempts, last_error FROM deliveries WHERE target_kind = 'webhook' AND attempts > 0 LIMIT 1`)).rows;
        if (rows.length > 0)
          return `${rows[0].status} (${rows[0].last_error ?? 'no error'}) after ${Date.now() - startedAt} ms; receiver had sent ${streamed >> 20} MB`;
        await sleep(100);
      }
      return `no attempt recorded within 30 s; receiver had sent ${streamed >> 20} MB`;
    });

    await measure(service, "another organization's webhook while 10 webhooks of one organization hang on 20 changes (at most 60 s)", async () => {
      const noisy = await orgOf('noisy');
      for (let i = 0; i < 10; i++) await api('POST', `/v2/organizations/${noisy}/webhooks`, { url: `${urlOf(stuck)}/${i}`, eventTypes: ['*'] });
      const quiet = await orgOf('quiet');
      await api('POST', `/v2/organizations/${quiet}/webhooks`, { url: urlOf(prompt), eventTypes: ['*'] });
      for (let i = 0; i < 20; i++) await userWithEvent(noisy);
      await sleep(500);
      const changedAt = Date.now();
      await userWithEvent(quiet);
      while (Date.now() - changedAt < 60_000) {
        if (arrivals.length > 0) return `delivered after ${arrivals[0] - changedAt} ms`;
        await sleep(50);
      }
      return 'not delivered within 60 s';
    });

    // Last: SIGTERM with a half-sent body on the main port and 50 half-sent streams on the gRPC port.
    const slow = tcpConnect(service.port, '127.0.0.1');
    slow.on('error', () => undefined);
    slow.write('POST /v2/organizations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
    const session = http2Connect(`http://127.0.0.1:${grpcPort}`);
    session.on('error', () => undefined);
    for (let i = 0; i < 50; i++) {
      const stream = session.request({ ':method': 'POST', ':path': '/zitadel.user.v2.UserService/GetUserByID', 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      stream.write(Buffer.from([0, 0, 0, 0, 100]));
    }
    await sleep(500);
    const signalled = Date.now();
    const exit = await service.stop('SIGTERM', 60_000);
    console.log(`HOSTILE ${JSON.stringify({ attack: 'SIGTERM with stuck clients on both ports', ms: Date.now() - signalled, outcome: JSON.stringify(exit) })}`);
    slow.destroy();
    session.destroy();
  } finally {
    await db.end();
    await service.stop('SIGKILL');
    for (const server of [huge, stuck, prompt]) {
      server.closeAllConnections();
      server.close();
    }
  }
}, 300_000);
