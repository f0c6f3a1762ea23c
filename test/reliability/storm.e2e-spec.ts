import { ServiceProcess } from '../support/service-process';
import { checkAndReport, DOMAIN_OUTCOMES, runStorm, startDeployment, StormWorld } from '../support/storm';
import { createTestDatabase } from '../support/test-postgres';

// Out of reach for the storm's one manager, but still counted: the counter row is as hot as it gets.
const SERVICE_ENV = { FACTOR_RATE_LIMIT: '1000000', DATABASE_POOL_SIZE: '10' };

describe('consistency under a storm on two instances sharing one database', () => {
  let databaseUrl: string;
  let instances: ServiceProcess[] = [];
  let world: StormWorld;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ({ instances, world } = await startDeployment(databaseUrl, 100, SERVICE_ENV));
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
    const report = await checkAndReport('storm (2 instances, 32 clients, 10 s, 100 users)', databaseUrl, world, result, instances);
    expect(result.unexpected).toEqual([]);
    expect(Object.keys(result.outcomes).filter((outcome) => outcome.startsWith('5'))).toEqual([]);
    expect(result.overBound).toBe(0);
    expect(report.problems).toEqual([]);
    expect(result.requests).toBeGreaterThan(200); // a loaded CI machine still manages several hundred
    expect(Object.keys(result.byInstance)).toHaveLength(2);
    expect(result.outcomes['200']).toBeGreaterThan(50);
  }, 60_000);
});
