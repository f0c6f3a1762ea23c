import { maskPersonalData } from '../src/observability/personal-data.masker';
import { createOrganization, createUser, TestUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { startTestPostgres } from './support/test-postgres';

/** A log destination that keeps every line, parsed. */
class CapturedLogs {
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  get lines(): Record<string, any>[] {
    return this.raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, any>);
  }

  of(requestId: string): Record<string, any>[] {
    return this.lines.filter((line) => line.reqId === requestId);
  }
}

/** Lets the asynchronous response hooks write their line. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** The value of the sample `name{labels}` in a Prometheus text exposition, whatever the label order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

describe('Operations: logs, health, metrics', () => {
  const logs = new CapturedLogs();
  let t: TestApp;
  let organizationId: string;

  beforeAll(async () => {
    // nestjs-pino keeps one root logger per process: the first app of the file decides where lines outside requests go.
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: logs });
    organizationId = await createOrganization(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('logs', () => {
    it('echoes x-request-id and writes exactly one JSON line for the request, with route pattern, status, duration and acting user', async () => {
      const user = await createUser(t, organizationId);
      const requestId = `ops-${Date.now()}`;
      const response = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: user.token, headers: { 'x-request-id': requestId } });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      await settle();

      const lines = logs.of(requestId);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'info',
        msg: 'request completed',
        reqId: requestId,
        method: 'DELETE',
        route: '/v2/users/:userId/otp_sms',
        status: 404,
        userId: user.userId,
      });
      expect(typeof lines[0].durationMs).toBe('number');
      expect(JSON.stringify(lines[0])).not.toContain(`/v2/users/${user.userId}/otp_sms`);
    });

    it.each([
      ['longer than 128 characters', 'x'.repeat(129)],
      ['with quotes and a semicolon', 'id";drop="x'],
      ['with a space', 'two words'],
    ])('replaces an x-request-id %s with a new one, in the answer and in the log', async (_, sent) => {
      const response = await t.request('GET', '/healthz', { headers: { 'x-request-id': sent } });
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      await settle();
      expect(logs.of(requestId!)).toHaveLength(1);
      expect(logs.raw.join('')).not.toContain(JSON.stringify(sent).slice(1, -1));
    });

    it('keeps an x-request-id of exactly 128 safe characters', async () => {
      const sent = `trace-${'a1:b2/c3'.repeat(15)}`.slice(0, 128);
      const response = await t.request('GET', '/healthz', { headers: { 'x-request-id': sent } });
      expect(response.headers.get('x-request-id')).toBe(sent);
    });

    it('generates a request id when none is sent, returns it and logs under it', async () => {
      const response = await t.request('GET', '/healthz');
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      await settle();
      expect(logs.of(requestId!)).toEqual([expect.objectContaining({ route: '/healthz', status: 200, msg: 'request completed' })]);
      expect(logs.of(requestId!)[0].userId).toBeUndefined();
    });

    it('never writes the bearer token, the phone number or the e-mail address of a request', async () => {
      const phone = '+41795550123';
      const email = `secret.person.${Date.now()}@example.org`;
      const requestId = `ops-pii-${Date.now()}`;
      const response = await t.request('POST', '/v2/users/human', {
        token: t.adminToken,
        headers: { 'x-request-id': requestId, cookie: 'session=do-not-log-me' },
        body: {
          username: `pii-${Date.now()}`,
          organization: { orgId: organizationId },
          profile: { givenName: 'Secret', familyName: 'Person' },
          phone: { phone, isVerified: true },
          email: { email, isVerified: true },
        },
      });
      expect(response.status).toBe(200);
      // Also through a URL (logged by Fastify and the error filter when a request fails).
      await t.request('GET', `/v2/users/${encodeURIComponent(email)}?phone=${encodeURIComponent(phone)}`, { token: t.adminToken });
      await settle();

      expect(logs.of(requestId)).toHaveLength(1);
      const everything = logs.raw.join('');
      expect(everything).not.toContain(t.adminToken);
      expect(everything).not.toContain(t.adminToken.split('.')[2]);
      expect(everything).not.toContain(phone);
      expect(everything).not.toContain(phone.slice(1));
      expect(everything).not.toContain(email);
      expect(everything).not.toContain('do-not-log-me');
      expect(everything).not.toContain('Secret');
    });

    it('masks tokens, e-mail addresses and phone numbers wherever they appear in a line', () => {
      const line = JSON.stringify({
        msg: 'failed for jane.doe+2fa@mail.example.com with +41 79 123 45 67 (Bearer abc.def.ghi) token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl',
        userId: '163840776835432705',
      });
      const masked = maskPersonalData(line);
      expect(JSON.parse(masked)).toEqual({
        msg: 'failed for [email] with [phone] (Bearer [token]) token [token]',
        userId: '163840776835432705',
      });
      expect(maskPersonalData('{"level":"info","route":"/healthz","status":200}')).toBe('{"level":"info","route":"/healthz","status":200}');
    });

    it.each([
      ['a quoted local part with a space', '"reject me"@example.com'],
      ['a quoted local part with CR and LF', '"a\r\nb"@example.com'],
      ['non-ASCII local part and domain', 'jürgen.müller@bücher.de'],
      ['a script without Latin letters', 'θσερ@παράδειγμα.δοκιμή'],
      ['an address literal', 'root@[192.0.2.1]'],
      ['a percent-encoded @ (in a URL)', 'jane%40example.com'],
    ])('masks an e-mail address with %s', (_what, email) => {
      const masked = maskPersonalData(JSON.stringify({ msg: `sent to ${email} now`, email }));
      expect(JSON.parse(masked)).toEqual({ msg: 'sent to [email] now', email: '[email]' });
    });
  });

  describe('health', () => {
    it('answers liveness on /healthz without a token', async () => {
      const response = await t.request('GET', '/healthz');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok' });
      expect(response.headers.get('cache-control')).toContain('no-store');
    });

    it('answers readiness on /readyz when PostgreSQL answers', async () => {
      const response = await t.request('GET', '/readyz');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });
  });

  describe('metrics', () => {
    let user: TestUser;

    beforeAll(async () => {
      user = await createUser(t, organizationId);
    });

    it('counts requests by route pattern and status, exposes the pool, and counts factor changes by type and outcome', async () => {
      expect((await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: user.token })).status).toBe(200);
      expect((await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: user.token })).status).toBe(200);
      expect((await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: user.token })).status).toBe(404);

      const response = await t.request('GET', '/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = response.body as string;

      const route = '/v2/users/:userId/otp_sms';
      expect(sample(text, 'auth_factors_http_requests_total', { method: 'DELETE', route, status: '200' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_http_requests_total', { method: 'DELETE', route, status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_http_request_duration_seconds_count', { method: 'POST', route, status: '200' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_http_request_duration_seconds_bucket', { method: 'POST', route, status: '200', le: '+Inf' })).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain(`route="/v2/users/${user.userId}`);

      expect(sample(text, 'auth_factors_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'auth_factors_db_pool_in_use_connections')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'auth_factors_db_pool_waiting_clients')).toBe(0);

      expect(sample(text, 'auth_factors_factor_changes_total', { type: 'otp_sms', action: 'add', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_factor_changes_total', { type: 'otp_sms', action: 'remove', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'auth_factors_factor_changes_total', { type: 'otp_sms', action: 'remove', outcome: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
    });

    it('needs no token for /healthz, /readyz and /metrics, and leaves them out of the OpenAPI document', async () => {
      const document = (await t.request('GET', '/docs-json')).body as { paths: Record<string, unknown> };
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        expect((await t.request('GET', path)).status).toBe(200);
        expect(document.paths[path]).toBeUndefined();
      }
    });
  });

  describe('beside a second application', () => {
    it('turns /readyz into a 503 with the error body once its database stops, logging the failure under the request id', async () => {
      const postgres = await startTestPostgres();
      const ownLogs = new CapturedLogs();
      const own = await startTestApp({ DATABASE_URL: postgres.url, LOG_LEVEL: 'info', DATABASE_CONNECT_TIMEOUT_MS: '500' }, { logDestination: ownLogs });
      try {
        expect((await own.request('GET', '/readyz')).status).toBe(200);
        await postgres.server.stop();

        const requestId = `ops-ready-${Date.now()}`;
        const started = Date.now();
        const response = await own.request('GET', '/readyz', { headers: { 'x-request-id': requestId } });
        expect(Date.now() - started).toBeLessThan(3000);
        expect(response.status).toBe(503);
        expect(response.body).toEqual({
          code: 14,
          // Open to anyone: which check is down, not the driver's message with the database's host and port. The outbox
          // is down as well once one of its rounds has met the stopped database, which a loaded machine may reach first.
          message: expect.stringMatching(/^The service is not ready: database (is|and outbox are) down \(AUTHF-HEALTH-503\)$/),
          details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTHF-HEALTH-503', message: expect.any(String) }],
        });
        expect(JSON.stringify(response.body)).not.toContain(new URL(postgres.url).port);
        expect((await own.request('GET', '/healthz')).status).toBe(200);
        await settle();
        const lines = ownLogs.of(requestId);
        // Every line of the request carries its id: the health check's own report (written by Nest's logger), then the request line.
        expect(lines.map((line) => line.msg)).toEqual([expect.stringContaining('Health Check has failed'), 'request completed']);
        expect(lines.at(-1)).toMatchObject({ msg: 'request completed', route: '/readyz', status: 503 });
      } finally {
        await own.close().catch(() => undefined);
        await postgres.server.stop();
      }
    });

    it('keeps its registry per application: a second app starts from zero', async () => {
      const other = await startTestApp();
      try {
        const text = (await other.request('GET', '/metrics')).body as string;
        expect(sample(text, 'auth_factors_factor_changes_total', { type: 'otp_sms', action: 'remove', outcome: 'NOT_FOUND' })).toBeUndefined();
      } finally {
        await other.close();
      }
    });
  });
});
