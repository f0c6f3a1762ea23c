import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, loadOrCreateSigningKey } from '@app/auth';
import { Client } from 'pg';
import { freePort } from './support/free-port';
import { createTestDatabase } from './support/test-postgres';

const ROOT = join(__dirname, '..');

/** Resolves with the exit code once the process ends, or with 'timeout' after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service did not become ready:\n${output()}`);
}

describe('Shutdown of the real process', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('on SIGTERM answers the request in flight, closes the pool and exits 0 within 10 s', async () => {
    const databaseUrl = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-shutdown-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        PORT: String(port),
        GRPC_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SEED_DEMO_USER: 'true',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForReady(url, child, () => output);

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const demo = await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'demo'`);
      const demoId = demo.rows[0].id;
      const key = loadOrCreateSigningKey(dataDir);
      const token = issueToken(key, { subject: demoId, issuer: 'auth-factors-local', audience: 'auth-factors' });

      // Hold the demo user's row: the removal below waits on it, in flight, until the lock goes.
      await db.query('BEGIN');
      await db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [demoId]);
      const inFlight = fetch(`${url}/auth/v1/users/me/auth_factors/otp_sms`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      await waitFor(async () => (await lockWaiters(db)) > 0);

      const exit = exited(child, 10_000);
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(child.exitCode).toBeNull(); // still draining
      await db.query('COMMIT');

      const response = await inFlight;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { details: { sequence: string } };
      expect(body.details.sequence).toMatch(/^\d+$/);

      expect(await exit).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(child.signalCode).toBeNull();
      // The pool is closed: no connection of the service to its database remains.
      const connections = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'auth-factors'`,
      );
      expect(connections.rows[0].n).toBe(0);
      expect(output).toContain('"msg":"request completed"');
    } finally {
      await db.end();
    }
  }, 90_000);
});

/** Polls until `check` holds (at most 5 s). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sessions of the service waiting for a lock. */
async function lockWaiters(db: Client): Promise<number> {
  const result = await db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'auth-factors' AND wait_event_type = 'Lock'`,
  );
  return result.rows[0].n as number;
}
