import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKey } from '@app/auth';
import { ServiceProcess } from '../support/service-process';
import { checkConsistency, DOMAIN_OUTCOMES, logsOfUnexpected, provisionWorld, runStorm, StormWorld, summarize } from '../support/storm';
import { createTestDatabase } from '../support/test-postgres';

// Out of reach for the storm's one manager, but still counted: the counter row is as hot as it gets.
const SERVICE_ENV = { FACTOR_RATE_LIMIT: '1000000', DATABASE_POOL_SIZE: '10' };

describe('consistency under a storm on two instances sharing one database', () => {
  let databaseUrl: string;
  let instances: ServiceProcess[] = [];
  let world: StormWorld;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-storm-'));
    loadOrCreateSigningKey(dataDir); // one key for both, before either starts
    instances = await Promise.all([0, 1].map(() => ServiceProcess.start({ databaseUrl, dataDir, env: SERVICE_ENV })));
    world = await provisionWorld(instances[0].url, databaseUrl, dataDir, 100);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
  });

  it('32 clients for 10 s over 100 users: no 5xx, replay equals the read model, sequences 1..n, nothing acknowledged lost', async () => {
    const result = await runStorm({
      world,
      targets: () => instances.map((instance) => instance.url),
      clients: 32,
      durationMs: 10_000,
      allowed: (outcome) => DOMAIN_OUTCOMES.has(outcome),
    });
    const report = await checkConsistency(databaseUrl, [...world.users.map((u) => u.userId), world.manager.userId], result.acknowledged);
    console.log(summarize('storm (2 instances, 32 clients, 10 s, 100 users)', result, report));

    if (result.unexpected.length > 0 || report.problems.length > 0) {
      console.log(
        `unexpected answers:\n${result.unexpected.join('\n')}\nproblems:\n${report.problems.join('\n')}\nlogs:\n${logsOfUnexpected(
          result,
          instances.map((i) => i.log),
        )}`,
      );
    }
    expect(result.unexpected).toEqual([]);
    expect(Object.keys(result.outcomes).filter((outcome) => outcome.startsWith('5'))).toEqual([]);
    expect(result.overBound).toBe(0);
    expect(report.problems).toEqual([]);
    expect(result.requests).toBeGreaterThan(200); // a loaded CI machine still manages several hundred
    expect(Object.keys(result.byInstance)).toHaveLength(2);
    expect(result.outcomes['200']).toBeGreaterThan(50);
  }, 60_000);
});
