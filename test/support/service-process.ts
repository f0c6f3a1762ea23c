import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');
const SERVICE_ARGS = ['--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register', 'src/main.ts'];

export interface ServiceProcessOptions {
  /** The database the instance serves (several instances may share it). */
  readonly databaseUrl: string;
  /** Shared by the instances of one deployment: it holds the development signing key. */
  readonly dataDir: string;
  /** Default: a free port. A restart passes the old one to keep the address. */
  readonly port?: number;
  /** Added to (and overriding) the defaults below. */
  readonly env?: Record<string, string>;
  /** How long to wait for the port to answer; default 60 s. */
  readonly startTimeoutMs?: number;
  /** What runs node (default: this node), e.g. `['unshare', '-m', ...]` to give it a mount of its own. */
  readonly command?: string[];
}

/**
 * The real service (`src/main.ts`) as a child process of the test, reached over
 * HTTP like any client reaches it: for crashes, signals and several instances
 * on one database, which one process cannot show.
 */
export class ServiceProcess {
  private output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly options: ServiceProcessOptions,
  ) {
    const keep = (chunk: Buffer) => {
      // The last 32 MB: an outage logs a warning per failed request.
      this.output = (this.output + chunk.toString()).slice(-33_554_432);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts an instance and resolves once it answers HTTP on its port. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const port = options.port ?? (await freePort());
    const service = new ServiceProcess(ServiceProcess.spawn(options, port), port, options);
    await service.waitUntilAnswering(options.startTimeoutMs ?? 60_000);
    return service;
  }

  /**
   * Starts an instance that is expected to fail, and resolves with how it ended and what it wrote
   * (SIGKILL after `timeoutMs`: a hang shows as `signal: 'SIGKILL'`).
   */
  static async runToExit(options: ServiceProcessOptions, timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }> {
    const service = new ServiceProcess(ServiceProcess.spawn(options, options.port ?? (await freePort())), 0, options);
    const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
    try {
      return { ...(await service.exited), log: service.output };
    } finally {
      clearTimeout(timer);
    }
  }

  private static spawn(options: ServiceProcessOptions, port: number): ChildProcess {
    const [command, ...args] = options.command ?? [process.execPath];
    return spawn(command, [...args, ...SERVICE_ARGS], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: options.databaseUrl,
        DATA_DIR: options.dataDir,
        PORT: String(port),
        GRPC_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SEED_DEMO_USER: 'false',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the instance wrote to stdout and stderr (the last 32 MB), for diagnostics. */
  get log(): string {
    return this.output;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs` if it is still there). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new instance with the same options and port (after a crash, say). */
  restart(): Promise<ServiceProcess> {
    return ServiceProcess.start({ ...this.options, port: this.port });
  }

  private async waitUntilAnswering(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the service (pid ${this.pid}) exited before answering on port ${this.port}:\n${this.output}`);
      const answered = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child.kill('SIGKILL');
    throw new Error(`the service (pid ${this.pid}) did not answer on port ${this.port} within ${timeoutMs} ms:\n${this.output}`);
  }
}
