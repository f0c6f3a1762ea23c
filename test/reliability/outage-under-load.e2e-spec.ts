import { rmSync } from 'node:fs';
import { EmbeddedPostgresServer } from '@app/database';
import { ServiceProcess } from '../support/service-process';
import { checkAndReport, DOMAIN_OUTCOMES, runStorm, startDeployment, StormWorld } from '../support/storm';
import { startTestPostgres } from '../support/test-postgres';

const SERVICE_ENV = { FACTOR_RATE_LIMIT: '1000000' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds until the instance answers a read with 200 again (polling every 50 ms, at most `limitMs`). */
async function recoveryMs(url: string, token: string, since: number, limitMs: number): Promise<number> {
  while (performance.now() - since < limitMs) {
    const status = await fetch(`${url}/auth/v1/users/me/auth_factors/_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(6000),
    }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return Math.round(performance.now() - since);
    await sleep(50);
  }
  return Infinity;
}

describe('a database outage under load, two instances', () => {
  let server: EmbeddedPostgresServer;
  let pgDataDir: string;
  let databaseUrl: string;
  let instances: ServiceProcess[] = [];
  let world: StormWorld;

  beforeAll(async () => {
    const postgres = await startTestPostgres();
    ({ server, url: databaseUrl, dataDir: pgDataDir } = postgres);
    ({ instances, world } = await startDeployment(databaseUrl, 50, SERVICE_ENV));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
    await server?.stop();
    if (pgDataDir) rmSync(pgDataDir, { recursive: true, force: true });
  });

  it('answers 503 code 14 within 5 s while PostgreSQL is down, reports not ready, recovers within 5 s of its restart, and stays consistent', async () => {
    const figures: Record<string, unknown> = {};
    const started = performance.now();
    let stoppedAt = 0;
    let restartedAt = 0;
    const readiness: number[] = [];
    const faults = (async () => {
      await sleep(3000);
      stoppedAt = performance.now() - started;
      await server.stop();
      await sleep(1000);
      for (const instance of instances) {
        readiness.push(
          await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(6000) }).then(
            (r) => r.status,
            () => 0,
          ),
        );
      }
      await sleep(3000);
      await server.start();
      const since = performance.now();
      restartedAt = since - started;
      const recoveries = await Promise.all(instances.map((instance) => recoveryMs(instance.url, world.users[0].token, since, 10_000)));
      figures.recoveryMs = recoveries;
      await sleep(3000); // load goes on against the recovered service
    })();

    const result = await runStorm({
      world,
      targets: () => instances.map((instance) => instance.url),
      clients: 32,
      durationMs: 60_000,
      until: faults,
      allowed: (outcome) => DOMAIN_OUTCOMES.has(outcome) || outcome === '503/14',
    });
    await faults;
    const during = result.timeline.filter(([at]) => at >= stoppedAt && at < restartedAt);
    const after = result.timeline.filter(([at]) => at >= restartedAt);
    const firstOkAfter = after.find(([, outcome]) => outcome === '200');
    figures.outage = `${Math.round(restartedAt - stoppedAt)} ms`;
    figures.requestsDuringOutage = during.length;
    figures.unavailableDuringOutage = during.filter(([, outcome]) => outcome === '503/14').length;
    figures.readyzDuringOutage = readiness;
    figures.firstStorm200AfterRestartMs = firstOkAfter ? Math.round(firstOkAfter[0] - restartedAt) : undefined;

    const report = await checkAndReport('database outage under load (2 instances, 32 clients)', databaseUrl, world, result, instances, figures);

    expect(result.unexpected).toEqual([]);
    expect(result.overBound).toBe(0);
    expect(result.maxLatencyMs).toBeLessThan(5000);
    expect(readiness).toEqual([503, 503]);
    expect(during.length).toBeGreaterThan(0);
    expect(figures.unavailableDuringOutage).toBeGreaterThan(0);
    for (const ms of figures.recoveryMs as number[]) expect(ms).toBeLessThan(5000);
    expect(report.problems).toEqual([]);
  }, 90_000);
});
