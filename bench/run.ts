/**
 * `npm run bench [-- options]`: the service against the reference floor (bench/floor) under the same load;
 * the options are in {@link USAGE}.
 *
 * The service runs as a child process with LOG_LEVEL=warn and NODE_ENV unset: production NODE_ENV
 * demands a JWKS endpoint, and the benchmark signs its tokens with the local key of the service's DATA_DIR.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/support/free-port';
import {
  BenchPostgres,
  copyData,
  createMigratedDatabase,
  drainOutbox,
  postmasterPid,
  resetStatementStats,
  startBenchPostgres,
  statementStats,
  withClient,
} from './lib/database';
import { drive, LoadResult, SCENARIOS, Scenario } from './lib/load';
import { cpuTimes, cpuUsed, NodeProcess, RssSampler, waitForHttp } from './lib/processes';
import { Population, provision, tokenSigner } from './lib/provision';
import { BenchResults, Implementation, Measurement, ScaleRow, StartupRow, toMarkdown, toSvg } from './lib/report';
import { countRows, fillEvents, fillUsers } from './lib/scale';

const USAGE = `Benchmarks the service against the reference floor (bench/floor) under the same load.

  npm run bench [-- options]

  --duration=<s>          seconds per measurement (default 5)
  --connections=1,8,...   connection counts (default 1,8,32,128)
  --scale                 also: removal cost at 10k / 1M users / 10M events, startup time
  --scale-connections=<n> connections of the scale runs (default 32)
  --no-build              run the last build of the service instead of building it first
  --service=dist|ts-node  how the service runs (default dist: \`nest build\` into node_modules/.cache)
  --cpu-prof              write a CPU profile of the service to bench/results/profiles/
  --node-args="<flags>"   extra node flags for the service (space-separated), after the deployed ones (DEPLOYED_NODE_ARGS),
                          e.g. --node-args="--max-semi-space-size=16" to override them
  --report-only           rewrite latest.md and latest.svg from latest.json and bench/results/notes.md, measuring nothing
  --help                  this text

Results: bench/results/latest.{md,json,svg}.`;

/** A mistake in the command line: told with the usage, without a stack trace. */
class UsageError extends Error {}

const ROOT = resolve(__dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');
/** The analysis that goes with the figures (profile, targets not met): appended to latest.md. */
const NOTES = join(RESULTS, 'notes.md');
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'auth-factors-bench', 'service');
const ISSUER = 'auth-factors-local';
const AUDIENCE = 'auth-factors';
const WARM_UP_SECONDS = 2;

interface Options {
  readonly durationSeconds: number;
  readonly connections: number[];
  readonly scale: boolean;
  readonly scaleConnections: number;
  readonly build: boolean;
  readonly serviceMode: 'dist' | 'ts-node';
  readonly cpuProfile: boolean;
  readonly nodeArgs: string[];
  readonly reportOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown argument ${arg}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  const known = ['duration', 'connections', 'scale', 'scale-connections', 'no-build', 'service', 'cpu-prof', 'node-args', 'report-only'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  const positive = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name}: expected a positive integer`);
    return value;
  };
  const connections = (flags.get('connections') ?? '1,8,32,128').split(',').map(Number);
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new UsageError('--connections: expected positive integers, e.g. 1,8,32,128');
  const serviceMode = flags.get('service') ?? 'dist';
  if (serviceMode !== 'dist' && serviceMode !== 'ts-node') throw new UsageError('--service: dist or ts-node');
  return {
    durationSeconds: positive('duration', 5),
    connections,
    scale: flags.has('scale'),
    scaleConnections: positive('scale-connections', 32),
    build: !flags.has('no-build'),
    serviceMode,
    cpuProfile: flags.has('cpu-prof'),
    nodeArgs: (flags.get('node-args') ?? '').split(' ').filter((a) => a.length > 0),
    reportOnly: flags.has('report-only'),
  };
}

const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

/** How to start the service: the script and node's arguments. */
function serviceCommand(options: Options): { script: string; nodeArgs: string[]; env: Record<string, string> } {
  const nodeArgs = [...DEPLOYED_NODE_ARGS, ...options.nodeArgs, ...(options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS, 'profiles')}`] : [])];
  const main = options.serviceMode === 'dist' ? join(BUILD_DIR, 'src', 'main.js') : join(ROOT, 'src', 'main.ts');
  if (options.serviceMode === 'ts-node') nodeArgs.push(...TS_NODE);
  // With --cpu-prof, the wrapper exits cleanly on SIGTERM so that node writes the profile.
  return options.cpuProfile
    ? { script: join(ROOT, 'bench', 'lib', 'profiled-main.js'), nodeArgs, env: { BENCH_SERVICE_MAIN: main } }
    : { script: main, nodeArgs, env: {} };
}

interface Target {
  readonly implementation: Implementation;
  readonly baseUrl: string;
  readonly process: NodeProcess;
  /** Its database, for the statement counts (pg_stat_statements on the shared server). */
  readonly database: string;
}

/**
 * The rate limit the service is deployed with stays on (its counter statement runs on every factor change);
 * only the limit is raised above what the load reaches (each connection cycles on one user; the v2 scenario
 * acts as one manager throughout), as FACTOR_RATE_LIMIT allows. 0 would turn the counting off altogether.
 */
const SERVICE_ENV = { FACTOR_RATE_LIMIT: '1000000', FACTOR_RATE_WINDOW_SECONDS: '60' };

/** The node flags the service is deployed with: the Dockerfile's CMD and package.json's start:prod. */
const DEPLOYED_NODE_ARGS = ['--max-semi-space-size=8', '--max-old-space-size=128'];

async function startService(options: Options, env: Record<string, string>, logFile: string): Promise<{ process: NodeProcess; readyMs: number }> {
  const command = serviceCommand(options);
  const child = NodeProcess.start(command.script, {
    nodeArgs: command.nodeArgs,
    cwd: ROOT,
    logFile,
    env: { NODE_ENV: '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', DATABASE_URL: '', JWKS_URI: '', GRPC_PORT: '0', ...SERVICE_ENV, ...command.env, ...env },
  });
  const readyMs = await waitForHttp(Number(env.PORT), child);
  return { process: child, readyMs };
}

async function measure(
  pgUrl: string,
  target: Target,
  scenario: Scenario,
  population: Population,
  connections: number,
  durationSeconds: number,
): Promise<Measurement> {
  await scenario.reset(target.baseUrl, population, connections);
  if (target.implementation === 'service') await drainOutbox(pgUrl);
  await resetStatementStats(pgUrl);
  const rss = new RssSampler(target.process.pid);
  rss.start();
  const postmaster = await postmasterPid(pgUrl);
  const cpuBefore = await cpuTimes(target.process.pid, postmaster);
  const load = await drive(target.baseUrl, scenario, population, connections, durationSeconds);
  const peak = await rss.stop();
  // The service's outbox dispatcher works behind the requests: its work for this load is counted here, not in the next cell.
  if (target.implementation === 'service') await drainOutbox(pgUrl);
  const cpuAfter = await cpuTimes(target.process.pid, postmaster);
  const perRequest = (ms: number) => (load.requests > 0 ? Math.round((ms / load.requests) * 1000) / 1000 : NaN);
  const used = cpuUsed(cpuBefore, cpuAfter);
  const cpu = { processMs: perRequest(used.processMs), postgresMs: perRequest(used.postgresMs) };
  const stats = await statementStats(pgUrl, target.database);
  const memory = target.implementation === 'service' ? await memoryBreakdown(target.baseUrl) : undefined;
  const statements = { perRequest: load.requests > 0 ? Math.round((stats.total / load.requests) * 100) / 100 : NaN, total: stats.total, top: stats.top };
  return { scenario: scenario.id, connections, implementation: target.implementation, load, rss: peak, statements, memory, cpu };
}

/** Where the service's memory is, from its own /metrics (prom-client's default metrics), in MiB. */
async function memoryBreakdown(baseUrl: string): Promise<Record<string, number> | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    const space = (name: string) =>
      Number(new RegExp(`^nodejs_heap_space_size_total_bytes\\{space="${name}"\\} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    const round = (v: number) => Math.round(v * 10) / 10;
    return Object.fromEntries(
      Object.entries({
        rss: value('process_resident_memory_bytes'),
        heapTotal: value('nodejs_heap_size_total_bytes'),
        heapUsed: value('nodejs_heap_size_used_bytes'),
        newSpace: space('new'),
        oldSpace: space('old'),
        codeSpace: space('code'),
        external: value('nodejs_external_memory_bytes'),
      }).map(([k, v]) => [k, round(v)]),
    );
  } catch {
    return undefined;
  }
}

function describe(m: Pick<Measurement, 'load'>): string {
  const { load } = m;
  return `${String(load.requestsPerSecond).padStart(6)} req/s  p50 ${load.p50Ms} ms  p99 ${load.p99Ms} ms  max ${load.maxMs} ms  errors ${load.errors}  non-2xx ${load.non2xx}`;
}

async function scaleChecks(
  options: Options,
  pg: BenchPostgres,
  service: Target,
  population: Population,
  logDir: string,
): Promise<NonNullable<BenchResults['scale']>> {
  const scenario = SCENARIOS[0];
  const removal: ScaleRow[] = [];
  const step = async (label: string) => {
    await drainOutbox(pg.serviceUrl);
    const counts = await countRows(pg.serviceUrl);
    await drive(service.baseUrl, scenario, population, options.scaleConnections, WARM_UP_SECONDS);
    await scenario.reset(service.baseUrl, population, options.scaleConnections);
    await drainOutbox(pg.serviceUrl);
    const load: LoadResult = await drive(service.baseUrl, scenario, population, options.scaleConnections, options.durationSeconds);
    removal.push({ label, ...counts, load });
    console.log(`  ${label.padEnd(22)} users ${counts.users}, events ${counts.events}: ${describe({ load })}`);
  };
  console.log('Scale: 10k users');
  await fillUsers(pg.serviceUrl, 10_000);
  await step('10k users');
  console.log('Scale: 1M users');
  await fillUsers(pg.serviceUrl, 1_000_000);
  await step('1M users');
  console.log('Scale: 10M events');
  await fillEvents(pg.serviceUrl, 10_000_000);
  await step('1M users, 10M+ events');

  console.log('Startup: time until the port answers (embedded PostgreSQL in DATA_DIR)');
  const startup: StartupRow[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-bench-startup-'));
  try {
    const env = async () => ({ DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_POSTGRES_PORT: String(await freePort()) });
    const run = async (label: string) => {
      const started = await startService({ ...options, cpuProfile: false }, await env(), join(logDir, 'startup.log'));
      await started.process.stop(30_000);
      startup.push({ label, readyMs: Math.round(started.readyMs) });
      console.log(`  ${label.padEnd(28)} ${Math.round(started.readyMs)} ms`);
    };
    await run('empty folder (initdb)');
    for (let i = 1; i <= 3; i++) await run(`existing folder, run ${i}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { connections: options.scaleConnections, removal, startup };
}

/** The machine's load averages: the benchmark shares its cores with whatever else runs. */
function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  if (options.reportOnly) {
    // The figures of the last run, with the notes as they are now.
    const last = JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as BenchResults;
    writeResults({ ...last, notes: existsSync(NOTES) ? readFileSync(NOTES, 'utf8') : undefined });
    return;
  }
  const loadBefore = loadAverage();
  const maxConnections = Math.max(...options.connections, options.scale ? options.scaleConnections : 0);
  mkdirSync(RESULTS, { recursive: true });
  const logDir = mkdtempSync(join(tmpdir(), 'auth-factors-bench-logs-'));
  console.log(`Logs of the child processes: ${logDir}`);
  if (options.serviceMode === 'dist' && options.build) {
    console.log('Building the service (nest build into node_modules/.cache/auth-factors-bench) ...');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', '-p', 'bench/tsconfig.service.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((error: unknown) => console.error('cleanup:', error));
    cleanups.length = 0;
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    console.log('Starting PostgreSQL ...');
    const pg = await startBenchPostgres();
    cleanups.push(async () => {
      await pg.server.stop();
      rmSync(pg.dataDir, { recursive: true, force: true });
    });
    const floorUrl = await createMigratedDatabase(pg.serviceUrl, 'auth_factors_floor');
    const stepwiseUrl = await createMigratedDatabase(pg.serviceUrl, 'auth_factors_floor_stepwise');

    const serviceDataDir = mkdtempSync(join(tmpdir(), 'auth-factors-bench-service-'));
    cleanups.push(async () => rmSync(serviceDataDir, { recursive: true, force: true }));
    const servicePort = await freePort();
    console.log(`Starting the service (${options.serviceMode}) ...`);
    const service = await startService(
      options,
      { PORT: String(servicePort), DATABASE_URL: pg.serviceUrl, DATA_DIR: serviceDataDir },
      join(logDir, 'service.log'),
    );
    cleanups.push(() => service.process.stop());
    const serviceTarget: Target = {
      implementation: 'service',
      baseUrl: `http://127.0.0.1:${servicePort}`,
      process: service.process,
      database: new URL(pg.serviceUrl).pathname.slice(1),
    };

    const sign = tokenSigner({ dataDir: serviceDataDir, issuer: ISSUER, audience: AUDIENCE });
    const adminId = await withClient(
      pg.serviceUrl,
      async (client) => (await client.query<{ id: string }>(`SELECT id FROM users WHERE username = 'admin'`)).rows[0].id,
    );
    console.log(`Provisioning ${maxConnections} users and an ORG_USER_MANAGER through the API ...`);
    const population = await provision(serviceTarget.baseUrl, sign(adminId), sign, maxConnections);
    await copyData(pg.serviceUrl, floorUrl);
    await copyData(pg.serviceUrl, stepwiseUrl);

    const startFloor = async (implementation: 'floor' | 'floor-stepwise', databaseUrl: string): Promise<Target> => {
      const port = await freePort();
      const child = NodeProcess.start(join(ROOT, 'bench', 'floor', 'server.ts'), {
        nodeArgs: ['--disable-warning=ExperimentalWarning'],
        cwd: ROOT,
        logFile: join(logDir, `${implementation}.log`),
        env: {
          PORT: String(port),
          DATABASE_URL: databaseUrl,
          DATA_DIR: serviceDataDir,
          JWT_ISSUER: ISSUER,
          JWT_AUDIENCE: AUDIENCE,
          DATABASE_POOL_SIZE: '10',
          FLOOR_MODE: implementation === 'floor' ? 'one-statement' : 'stepwise',
        },
      });
      cleanups.push(() => child.stop());
      await waitForHttp(port, child);
      return { implementation, baseUrl: `http://127.0.0.1:${port}`, process: child, database: new URL(databaseUrl).pathname.slice(1) };
    };
    const floorTarget = await startFloor('floor', floorUrl);
    const stepwiseTarget = await startFloor('floor-stepwise', stepwiseUrl);
    const targets = [serviceTarget, floorTarget, stepwiseTarget];

    console.log(`Warming up (${WARM_UP_SECONDS} s per scenario and implementation) ...`);
    for (const scenario of SCENARIOS) {
      for (const target of targets) await measure(pg.serviceUrl, target, scenario, population, Math.min(8, maxConnections), WARM_UP_SECONDS);
    }

    const measurements: Measurement[] = [];
    for (const scenario of SCENARIOS) {
      console.log(`\n${scenario.title}`);
      for (const connections of options.connections) {
        for (const target of targets) {
          const m = await measure(pg.serviceUrl, target, scenario, population, connections, options.durationSeconds);
          measurements.push(m);
          console.log(
            `  ${String(connections).padStart(3)} conns ${target.implementation.padEnd(7)} ${describe(m)}  RSS ${m.rss.peakMb} MB  stmts/req ${m.statements?.perRequest}${m.memory ? `  memory ${JSON.stringify(m.memory)}` : ''}`,
          );
        }
      }
    }

    let scale: BenchResults['scale'];
    if (options.scale) {
      await floorTarget.process.stop();
      await stepwiseTarget.process.stop();
      scale = await scaleChecks(options, pg, serviceTarget, population, logDir);
    }

    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
        node: process.version,
        cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
        memoryGb: Math.round(totalmem() / 2 ** 30),
        durationSeconds: options.durationSeconds,
        service: `${options.serviceMode} (node ${[...DEPLOYED_NODE_ARGS, ...options.nodeArgs].join(' ')}), LOG_LEVEL=warn, NODE_ENV unset (local signing key), pool 10, FACTOR_RATE_LIMIT=${SERVICE_ENV.FACTOR_RATE_LIMIT} per ${SERVICE_ENV.FACTOR_RATE_WINDOW_SECONDS} s (counted, never reached), outbox dispatcher on (defaults, SMTP unset)`,
        floor:
          'bench/floor/server.ts: node:http + pg Pool (10), same schema, same PostgreSQL server, separate database; floor: one statement per command (FLOOR_MODE=one-statement), floor-stepwise: a transaction of separate statements',
        load: 'autocannon in the runner process; each connection cycles POST + DELETE on its own user',
        'machine load average (1/5/15 min) before': loadBefore,
        'machine load average (1/5/15 min) after': loadAverage(),
      },
      scenarios: SCENARIOS.map(({ id, title }) => ({ id, title })),
      measurements,
      scale,
      notes: existsSync(NOTES) ? readFileSync(NOTES, 'utf8') : undefined,
    };
    writeResults(results);
  } finally {
    await cleanup();
  }
}

function writeResults(results: BenchResults): void {
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = toMarkdown(results);
  writeFileSync(join(RESULTS, 'latest.md'), markdown);
  writeFileSync(join(RESULTS, 'latest.svg'), toSvg(results));
  console.log(`\n${markdown}`);
  console.log(`Written: bench/results/latest.{json,md,svg}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
