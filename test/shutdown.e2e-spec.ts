import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, loadOrCreateSigningKey } from '@app/auth';
import { EMBEDDED_DATABASE } from '@app/database';
import { Client } from 'pg';
import { freePort } from './support/free-port';
import { ServiceProcess } from './support/service-process';
import { createTestDatabase } from './support/test-postgres';

// PostgreSQL's DBState (src/include/catalog/pg_control.h), as pg_controldata reports it.
const DB_SHUTDOWNED = 1;
const DB_IN_PRODUCTION = 6;

/** The cluster state recorded in global/pg_control: a uint32 after system_identifier, pg_control_version and catalog_version_no. */
function clusterState(clusterDir: string): number {
  return readFileSync(join(clusterDir, 'global', 'pg_control')).readUInt32LE(16);
}

/** Whether a new TCP connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Polls until `check` holds (at most `ms`). */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Raw, on a plain client below: the service runs in another process, and the test reads pg_stat_activity and holds
// a user's row lock from outside it, which no entity or repository of the service expresses.

/** Sessions of the service waiting for a lock. */
async function lockWaiters(db: Client): Promise<number> {
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'auth-factors' AND wait_event_type = 'Lock'`,
  );
  return result.rows[0].n;
}

async function demoUserId(db: Client): Promise<string> {
  const demo = await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'demo'`);
  return demo.rows[0].id;
}

function tokenFor(dataDir: string, subject: string): string {
  return issueToken(loadOrCreateSigningKey(dataDir), { subject, issuer: 'auth-factors-local', audience: 'auth-factors' });
}

describe('Shutdown of the real process', () => {
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.stop('SIGKILL');
    service = undefined;
  });

  it('on SIGTERM answers the request in flight, closes the pool and exits 0 within 10 s', async () => {
    const databaseUrl = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-shutdown-'));
    service = await ServiceProcess.start({ databaseUrl, dataDir, env: { LOG_LEVEL: 'info', SEED_DEMO_USER: 'true' } });

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const demoId = await demoUserId(db);
      // Hold the demo user's row: the removal below waits on it, in flight, until the lock goes.
      await db.query('BEGIN');
      await db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [demoId]);
      const inFlight = fetch(`${service.url}/auth/v1/users/me/auth_factors/otp_sms`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${tokenFor(dataDir, demoId)}` },
      });
      await waitFor('the removal waiting for the lock', async () => (await lockWaiters(db)) > 0);

      const signalled = Date.now();
      const exit = service.stop('SIGTERM', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(service.running).toBe(true); // still draining
      await db.query('COMMIT');

      const response = await inFlight;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { details: { sequence: string } };
      expect(body.details.sequence).toMatch(/^\d+$/);

      expect(await exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(10_000);
      // The pool is closed: no connection of the service to its database remains.
      const connections = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'auth-factors'`,
      );
      expect(connections.rows[0].n).toBe(0);
      expect(service.log).toContain('"msg":"request completed"');
    } finally {
      await db.end();
    }
  }, 90_000);

  it('under load on the embedded database: accepted requests get their real answers, new connections are refused, exit 0, the cluster shut down cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-shutdown-embedded-'));
    const postgresPort = await freePort();
    // No DATABASE_URL: the service starts, and must stop, its own embedded PostgreSQL.
    service = await ServiceProcess.start({
      databaseUrl: '',
      dataDir,
      // A pool with room for all 16 clients and the outbox: the requests wait on the row lock, not for a connection.
      env: { DATABASE_URL: '', EMBEDDED_POSTGRES_PORT: String(postgresPort), SEED_DEMO_USER: 'true', FACTOR_RATE_LIMIT: '0', DATABASE_POOL_SIZE: '24' },
    });
    const clusterDir = join(dataDir, 'postgres');
    expect(clusterState(clusterDir)).toBe(DB_IN_PRODUCTION);

    const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
    const db = new Client({ host: '127.0.0.1', port: postgresPort, user: 'postgres', password, database: EMBEDDED_DATABASE });
    await db.connect();
    let dbOpen = true;
    try {
      const demoId = await demoUserId(db);
      const token = tokenFor(dataDir, demoId);
      const url = service.url;

      // 16 clients cycle the demo user's OTP SMS (add, remove) until the shutdown begins.
      let stopping = false;
      const statuses: number[] = [];
      const failures: string[] = [];
      let inFlight = 0;
      const client = async (): Promise<void> => {
        for (let i = 0; !stopping; i++) {
          inFlight++;
          try {
            const response = await fetch(`${url}/auth/v1/users/me/auth_factors/otp_sms`, {
              method: i % 2 ? 'DELETE' : 'POST',
              headers: { authorization: `Bearer ${token}` },
            });
            await response.arrayBuffer();
            statuses.push(response.status);
          } catch (error) {
            failures.push(String(error));
          } finally {
            inFlight--;
          }
        }
      };
      const clients = Array.from({ length: 16 }, client);
      await waitFor('load under way', () => Promise.resolve(statuses.length >= 100), 30_000);

      // Hold the demo user's row: every client's next request is accepted and then waits, in flight.
      await db.query('BEGIN');
      await db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [demoId]);
      const answeredBefore = statuses.length;
      await waitFor('requests waiting for the lock', async () => (await lockWaiters(db)) > 0);
      await waitFor('every client in flight', () => Promise.resolve(inFlight === 16));
      stopping = true;

      const signalled = Date.now();
      const exit = service.stop('SIGTERM', 15_000);
      await waitFor('new connections refused', () => refused(service!.port));
      expect(service.running).toBe(true); // still draining the accepted requests
      await db.query('COMMIT');
      await db.end();
      dbOpen = false;

      await Promise.all(clients);
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(10_000);
      // Every request was answered, each with its real answer (added, removed, or already so): none failed, none 5xx.
      expect(failures).toEqual([]);
      expect(statuses.length).toBeGreaterThanOrEqual(answeredBefore + 16);
      expect(statuses.filter((status) => ![200, 404, 409].includes(status))).toEqual([]);
      // The embedded cluster went through a clean shutdown: no recovery needed at the next start.
      expect(clusterState(clusterDir)).toBe(DB_SHUTDOWNED);
      expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);
    } finally {
      if (dbOpen) await db.end().catch(() => undefined);
    }
  }, 120_000);
});
