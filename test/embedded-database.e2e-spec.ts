import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseServer, EmbeddedPostgresServer } from '@app/database';
import { freePort } from './support/free-port';
import { ServiceProcess } from './support/service-process';
import { startTestApp } from './support/test-app';

const ROOT = join(__dirname, '..');

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the database the service runs on', () => {
  it('starts an embedded PostgreSQL in DATA_DIR without DATABASE_URL, stops it on shutdown and reuses the data on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-embedded-'));
    const port = String(await freePort());
    const env = { DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: port, SEED_DEMO_USER: 'true' };

    const first = await startTestApp(env);
    expect(first.app.get(DatabaseServer).embedded?.owned).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const demo = first.bootstrapped.demoId!;
    const removed = await first.request('DELETE', '/auth/v1/users/me/auth_factors/otp_sms', { token: first.token(demo) });
    expect(removed.status).toBe(200);
    await first.close();
    expect(await portIsOpen(Number(port))).toBe(false);

    const second = await startTestApp(env);
    try {
      expect(second.bootstrapped.adminId).toBe(first.bootstrapped.adminId);
      expect(second.bootstrapped.demoId).toBe(demo);
      const factors = await second.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: second.token(demo) });
      expect(factors.body).toEqual({ result: [{ state: 'AUTH_FACTOR_STATE_READY', otpEmail: {} }] });
    } finally {
      await second.close();
    }
  });

  it('uses DATABASE_URL when set and starts no embedded server', async () => {
    const t = await startTestApp();
    try {
      expect(t.app.get(DatabaseServer).embedded).toBeUndefined();
      expect(existsSync(join(t.config.dataDir, 'postgres'))).toBe(false);
    } finally {
      await t.close();
    }
  });
});

/** The pid of the live postmaster on the data folder's cluster, if any. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** The service as a child process on its own embedded PostgreSQL (no DATABASE_URL). */
function startOnEmbedded(dataDir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return ServiceProcess.start({ databaseUrl: '', dataDir, env: { LOG_LEVEL: 'info', ...env } });
}

describe('the embedded PostgreSQL never outlives the service that started it', () => {
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    await service?.stop('SIGTERM');
    service = undefined;
  });

  // SIGHUP: the terminal the service runs in was closed.
  it.each(['SIGHUP', 'SIGINT', 'SIGTERM'] as const)(
    '%s: exit 0 and the cluster stopped',
    async (signal) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-signal-'));
      service = await startOnEmbedded(dataDir, { EMBEDDED_POSTGRES_PORT: String(await freePort()) });
      const postgres = postmasterPid(dataDir)!;
      expect(postgres).toBeDefined();

      expect(await service.stop(signal)).toEqual({ code: 0, signal: null });
      expect(processGone(postgres)).toBe(true);
      expect(existsSync(join(dataDir, 'postgres-owner'))).toBe(false);
    },
    90_000,
  );

  it('after a crash (SIGKILL) the next start takes the orphaned cluster over and stops it on its own exit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-crash-'));
    const env = { EMBEDDED_POSTGRES_PORT: String(await freePort()), SEED_DEMO_USER: 'true' };
    const crashed = await startOnEmbedded(dataDir, env);
    const orphan = postmasterPid(dataDir)!;
    expect(await crashed.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(postmasterPid(dataDir)).toBe(orphan); // nothing could stop it: the orphan the next start must deal with

    service = await startOnEmbedded(dataDir, env);
    expect(service.log).toContain(`Stopping the embedded PostgreSQL (pid ${orphan}) that a process which has ended left running; this process owns it now`);
    expect(processGone(orphan)).toBe(true);
    const adopted = postmasterPid(dataDir)!;
    expect(readFileSync(join(dataDir, 'postgres-owner'), 'utf8').trim()).toBe(String(service.pid));
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    service = undefined;
    expect(processGone(adopted)).toBe(true);
  }, 120_000);

  it('a second service on the same DATA_DIR is refused with one line, and the first keeps serving', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-shared-'));
    const env = { EMBEDDED_POSTGRES_PORT: String(await freePort()) };
    service = await startOnEmbedded(dataDir, env);

    const second = await ServiceProcess.runToExit({ databaseUrl: '', dataDir, env: { LOG_LEVEL: 'info', ...env } });
    expect(second.code).toBe(1);
    expect(second.log).toContain(`DATA_DIR=${dataDir}: another auth-factors process (pid ${service.pid}) runs the embedded PostgreSQL of this folder`);
    expect(second.log).toContain('give this instance a DATA_DIR of its own');
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  }, 120_000);
});

describe('the embedded PostgreSQL port', () => {
  /** Holds a port the way another program would. */
  async function occupy(): Promise<{ port: number; server: Server }> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, server };
  }

  it('taken (without EMBEDDED_POSTGRES_PORT): another is chosen, named in the log, and kept for the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-port-'));
    const taken = await occupy();
    try {
      // The port this folder's server used last is the one taken now (as the default 54329 is, by another checkout).
      writeFileSync(join(dataDir, 'postgres-port'), `${taken.port}\n`);
      const notices: string[] = [];
      const server = new EmbeddedPostgresServer({ dataDir, notice: (line) => notices.push(line) });
      const chosen = Number(new URL(await server.start()).port);
      await server.stop();
      expect(chosen).not.toBe(taken.port);
      expect(notices).toContain(
        `Port ${taken.port} is taken by another program; the embedded PostgreSQL of ${dataDir} uses port ${chosen} from now on (EMBEDDED_POSTGRES_PORT overrides it)`,
      );
      expect(readFileSync(join(dataDir, 'postgres-port'), 'utf8').trim()).toBe(String(chosen));

      const again = new EmbeddedPostgresServer({ dataDir });
      expect(Number(new URL(await again.start()).port)).toBe(chosen);
      await again.stop();
    } finally {
      taken.server.close();
    }
  }, 90_000);

  it('EMBEDDED_POSTGRES_PORT taken: a start-up error that names the variable', async () => {
    const taken = await occupy();
    try {
      const server = new EmbeddedPostgresServer({ dataDir: mkdtempSync(join(tmpdir(), 'auth-factors-port-')), port: taken.port });
      await expect(server.start()).rejects.toThrow(
        `EMBEDDED_POSTGRES_PORT=${taken.port}: another program listens on this port. Choose a free port, or unset EMBEDDED_POSTGRES_PORT to let the service pick one`,
      );
    } finally {
      taken.server.close();
    }
  });
});

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;
asRoot('a data folder inside a folder the "postgres" user cannot pass through (root working in its 0700 home)', () => {
  it('works: the folder gets the execute bit for others (not read), and the log says so', async () => {
    const home = mkdtempSync(join(tmpdir(), 'auth-factors-home-'));
    chmodSync(home, 0o700);
    const dataDir = join(home, 'project', '.data');
    const notices: string[] = [];
    const server = new EmbeddedPostgresServer({ dataDir, port: await freePort(), notice: (line) => notices.push(line) });
    await server.start();
    await server.stop();
    expect(statSync(home).mode & 0o777).toBe(0o701);
    expect(notices).toContain(`Gave ${home} the execute bit for others (mode 701), so the "postgres" user that runs PostgreSQL can pass through`);
  }, 60_000);

  it("a project cloned inside such a folder: jest's global set-up starts PostgreSQL from the binaries in it", async () => {
    const home = mkdtempSync(join(tmpdir(), 'auth-factors-home-')); // mode 0700, as root's home
    symlinkSync(ROOT, join(home, 'project'));
    // --preserve-symlinks: the modules, and so the PostgreSQL binaries, are found under home/project, as in a real clone there.
    const script = `
      const setup = require(${JSON.stringify(join(home, 'project', 'test', 'support', 'global-setup.ts'))}).default;
      const teardown = require(${JSON.stringify(join(home, 'project', 'test', 'support', 'global-teardown.ts'))}).default;
      setup().then(teardown).then(() => console.log('started and stopped'));`;
    const output = execFileSync(process.execPath, ['--preserve-symlinks', '--require', 'ts-node/register/transpile-only', '--eval', script], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output.trim()).toBe('started and stopped');
    expect(statSync(home).mode & 0o777).toBe(0o701);
  }, 90_000);
});
