import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';

/** A Node.js child process the benchmark started, with its output in a log file. */
export class NodeProcess {
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Runs `node [nodeArgs] script` with the given environment (added to ours). */
  static start(script: string, options: { nodeArgs?: string[]; env: Record<string, string>; logFile: string; cwd: string }): NodeProcess {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return new NodeProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves once the process exits; rejects the race in {@link waitForHttp} when it dies early. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Milliseconds until `port` answers HTTP (any status), polling every 20 ms. */
export async function waitForHttp(port: number, owner: NodeProcess, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  let died = false;
  void owner.whenExited().then(() => (died = true));
  while (performance.now() - started < timeoutMs) {
    if (await probe(port)) return performance.now() - started;
    if (died) throw new Error(`process ${owner.pid} exited before answering on port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`port ${port} did not answer within ${timeoutMs} ms`);
}

/** Samples a process's resident set size (VmRSS) while running. */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  private samples: number[] = [];

  constructor(private readonly pid: number) {}

  start(intervalMs = 200): void {
    this.samples = [];
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  /** Stops sampling; the peak and mean in MiB. */
  async stop(): Promise<{ peakMb: number; meanMb: number }> {
    clearInterval(this.timer);
    await this.sample();
    const peak = Math.max(...this.samples);
    const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    return { peakMb: round(peak / 1024), meanMb: round(mean / 1024) };
  }

  private async sample(): Promise<void> {
    try {
      const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (match) this.samples.push(Number(match[1]));
    } catch {
      // the process is gone
    }
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

/** CPU time so far (ms) by process: of `pid`, and of one PostgreSQL server's processes (its postmaster and those it started). */
export interface CpuTimes {
  readonly processMs: number;
  readonly postgres: ReadonlyMap<number, number>;
}

/**
 * The CPU time (user + system) used between two {@link cpuTimes} samples: the process's, and PostgreSQL's summed over
 * the processes alive at the end (one that exited meanwhile, an idle pooled connection closed, takes its time with it).
 */
export function cpuUsed(before: CpuTimes, after: CpuTimes): { processMs: number; postgresMs: number } {
  let postgresMs = 0;
  for (const [pid, ms] of after.postgres) postgresMs += ms - (before.postgres.get(pid) ?? 0);
  return { processMs: after.processMs - before.processMs, postgresMs };
}

/** CPU time so far of the process `pid` and of one PostgreSQL server (`postmaster` and its children), from /proc (10 ms ticks). */
export async function cpuTimes(pid: number, postmaster: number): Promise<CpuTimes> {
  const ticks = async (id: string): Promise<{ ppid: number; ms: number } | undefined> => {
    try {
      const stat = await readFile(`/proc/${id}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; the fields after it start with the state.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      return { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * 10 };
    } catch {
      return undefined; // gone meanwhile
    }
  };
  const ids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const all = await Promise.all(ids.map(async (id) => ({ id: Number(id), stat: await ticks(id) })));
  const postgres = new Map<number, number>();
  for (const { id, stat } of all) if (stat && (id === postmaster || stat.ppid === postmaster)) postgres.set(id, stat.ms);
  return { processMs: (await ticks(String(pid)))?.ms ?? NaN, postgres };
}
