import autocannon from 'autocannon';
import { call, forEachLimited, Population } from './provision';

/** One benchmarked workload: a cycle of requests per connection, each connection acting on its own user. */
export interface Scenario {
  readonly id: 'v1-otp-sms' | 'v2-otp-email';
  readonly title: string;
  /** The add + remove cycle of one connection, acting on `users[index]`. */
  cycle(population: Population, index: number): autocannon.Request[];
  /** Removes the factor (when present) from the first `count` users: a clean start. */
  reset(baseUrl: string, population: Population, count: number): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const V1_SMS = '/auth/v1/users/me/auth_factors/otp_sms';
const v2Email = (userId: string) => `/v2/users/${encodeURIComponent(userId)}/otp_email`;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'v1-otp-sms',
    title: 'Auth API v1: add + remove OTP SMS (own user)',
    cycle: ({ users }, index) => [
      { method: 'POST', path: V1_SMS, headers: { ...JSON_HEADERS, ...bearer(users[index].token) }, body: '{}' },
      { method: 'DELETE', path: V1_SMS, headers: bearer(users[index].token) },
    ],
    reset: (baseUrl, { users }, count) =>
      forEachLimited(users.slice(0, count), 16, async (user) => {
        await call(baseUrl, 'DELETE', V1_SMS, user.token, undefined, [200, 404]);
      }),
  },
  {
    id: 'v2-otp-email',
    title: 'User service v2: add + remove OTP Email (as ORG_USER_MANAGER)',
    cycle: ({ users, manager }, index) => [
      { method: 'POST', path: v2Email(users[index].userId), headers: { ...JSON_HEADERS, ...bearer(manager.token) }, body: '{}' },
      { method: 'DELETE', path: v2Email(users[index].userId), headers: bearer(manager.token) },
    ],
    reset: (baseUrl, { users, manager }, count) =>
      forEachLimited(users.slice(0, count), 16, async (user) => {
        await call(baseUrl, 'DELETE', v2Email(user.userId), manager.token, undefined, [200, 404]);
      }),
  },
];

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requests: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
}

/** Drives `connections` connections at `baseUrl` for `durationSeconds`, each cycling through its own user's requests. */
export async function drive(baseUrl: string, scenario: Scenario, population: Population, connections: number, durationSeconds: number): Promise<LoadResult> {
  if (connections > population.users.length) throw new Error(`${connections} connections need as many users (have ${population.users.length})`);
  let nextUser = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationSeconds,
    timeout: 10,
    // Replaced per connection below; autocannon needs a valid first request to build.
    requests: scenario.cycle(population, 0),
    setupClient: (client) => client.setRequests(scenario.cycle(population, nextUser++)),
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    requestsPerSecond: Math.round(requests / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests,
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes,
  };
}
