import { mkdtempSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConnectionFailure } from '@app/database';
import { freePort } from './support/free-port';
import { ServiceProcess, ServiceProcessOptions } from './support/service-process';
import { sharedServerUrl } from './support/test-postgres';

interface LogLine {
  readonly level: string;
  readonly context?: string;
  readonly msg: string;
  readonly err?: unknown;
}

/** Runs the real service to its exit and returns its exit status, its log lines (JSON: not a terminal) and the time it took. */
async function failedStart(env: Record<string, string>, options: Partial<ServiceProcessOptions> = {}) {
  const started = Date.now();
  const result = await ServiceProcess.runToExit({
    databaseUrl: '',
    dataDir: mkdtempSync(join(tmpdir(), 'auth-factors-fail-')),
    ...options,
    env: { LOG_LEVEL: 'info', ...env },
  });
  const lines = result.log
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
  return { ...result, lines, seconds: (Date.now() - started) / 1000, fatal: lines.find((line) => line.level === 'fatal') };
}

/** The one line an expected start-up failure ends with: through the logger, at fatal, without a stack trace. */
function expectOneClearLine(result: Awaited<ReturnType<typeof failedStart>>, code = 1): string {
  expect(result.signal).toBeNull(); // not killed by the time limit: it ended by itself
  expect(result.code).toBe(code);
  expect(result.lines.filter((line) => line.level === 'fatal' || line.level === 'error')).toHaveLength(1);
  expect(result.fatal).toMatchObject({ context: 'Startup' });
  expect(result.fatal!.err).toBeUndefined();
  expect(result.log).not.toMatch(/\n\s+at /);
  return result.fatal!.msg;
}

describe('a start that cannot succeed ends at once with one line that names the setting, the cause and the fix', () => {
  it('DATA_DIR below /proc (where a recursive mkdir never returns): an error within seconds, not a hang', async () => {
    const result = await failedStart({ DATA_DIR: '/proc/auth-factors-test' });
    const message = expectOneClearLine(result);
    expect(message).toContain('DATA_DIR=/proc/auth-factors-test');
    expect(message).toMatch(/cannot create or write the folder: ENOENT/);
    expect(message).toContain('Set DATA_DIR to a folder this user can write');
  }, 90_000);

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot(
    'a read-only DATA_DIR: the real cause (EROFS), not a missing password file',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-readonly-'));
      // A mount namespace of the child's own, with a read-only file system on DATA_DIR.
      const command = ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs -o ro,size=1m tmpfs "$0" && exec "$@"', dataDir, process.execPath];
      const result = await failedStart({}, { dataDir, command });
      const message = expectOneClearLine(result);
      expect(message).toContain(`DATA_DIR=${dataDir}`);
      expect(message).toContain('EROFS');
      expect(message).not.toContain('ENOENT');
    },
    90_000,
  );

  it('DATABASE_URL to a closed port: the variable, the host and "connection refused"', async () => {
    const port = await freePort();
    const result = await failedStart({ DATABASE_URL: `postgres://auth:secret@127.0.0.1:${port}/auth_factors` });
    const message = expectOneClearLine(result);
    expect(message).toContain(`DATABASE_URL: nothing listens at 127.0.0.1:${port} (connection refused)`);
    expect(message).toContain('Start PostgreSQL there, or correct the host and port in DATABASE_URL');
    expect(message).not.toContain('secret');
  }, 90_000);

  describe('DATABASE_URL to a server that accepts connections and never answers', () => {
    let blackHole: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      blackHole = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    });

    it('is reported as a connect timeout with the limit, not as "connection terminated"', async () => {
      const { port } = blackHole.address() as { port: number };
      const result = await failedStart({ DATABASE_URL: `postgres://auth:secret@127.0.0.1:${port}/auth_factors`, DATABASE_CONNECT_TIMEOUT_MS: '500' });
      const message = expectOneClearLine(result);
      expect(message).toContain(`DATABASE_URL: 127.0.0.1:${port} did not answer within 500 ms (connect timeout)`);
      expect(message).toContain('raise DATABASE_CONNECT_TIMEOUT_MS');
      expect(message).not.toMatch(/terminated/i);
    }, 90_000);
  });

  it('DATABASE_URL with a wrong password: the user refused, and what to correct', async () => {
    const url = new URL(sharedServerUrl());
    url.password = 'not-the-password';
    const result = await failedStart({ DATABASE_URL: url.toString() });
    const message = expectOneClearLine(result);
    expect(message).toContain(`DATABASE_URL: PostgreSQL at 127.0.0.1:${url.port} refused user "postgres": password authentication failed`);
    expect(message).toContain('Correct the user name and password in DATABASE_URL');
    expect(message).not.toContain('not-the-password');
  }, 90_000);

  it('an invalid configuration: every bad variable, through the same logger, exit status 2', async () => {
    const result = await failedStart({ PORT: 'abc', LOG_LEVEL: 'loud' });
    const message = expectOneClearLine(result, 2);
    expect(message).toContain('Invalid configuration:');
    expect(message).toContain('PORT="abc": expected an integer from 0 to 65535');
    expect(message).toContain('LOG_LEVEL="loud": expected one of');
  }, 90_000);
});

describe('describeConnectionFailure', () => {
  // An unknown host needs a DNS server to say so; the cause is classified from the driver's error code.
  it('names an unknown host and the setting to correct', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND db.internal.example'), { code: 'ENOTFOUND' });
    const failure = describeConnectionFailure(error, {
      url: 'postgres://u:p@db.internal.example:5432/x',
      source: 'DATABASE_URL',
      connectTimeoutMs: 2000,
      elapsedMs: 5,
    });
    expect(failure.message).toBe(
      'DATABASE_URL: the host "db.internal.example" is unknown (ENOTFOUND). Correct the host name in DATABASE_URL, or check the DNS of this machine',
    );
  });

  it('calls a connection cut at the connect timeout a timeout, whatever the driver named it', () => {
    const error = new Error('Connection terminated unexpectedly');
    const target = { url: 'postgres://u:p@db:5432/x', source: 'DATABASE_URL', connectTimeoutMs: 2000 };
    expect(describeConnectionFailure(error, { ...target, elapsedMs: 2004 }).problem).toBe('db:5432 did not answer within 2000 ms (connect timeout)');
    expect(describeConnectionFailure(error, { ...target, elapsedMs: 30 }).problem).toBe(
      'cannot connect to PostgreSQL at db:5432: Connection terminated unexpectedly',
    );
  });
});
