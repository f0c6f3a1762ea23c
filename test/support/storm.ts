import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, loadOrCreateSigningKey } from '@app/auth';
import { EventEntity, EventStreamEntity } from '@app/eventstore';
import { ArrayContains, DataSource, In } from 'typeorm';
import { AuthFactorEntity } from '../../src/auth-factors/entities/auth-factor.entity';
import { replayAuthFactors } from '../../src/auth-factors/auth-factor.projection';
import { ENTITIES } from '../../src/entities';
import { MembershipEntity } from '../../src/permissions/entities/membership.entity';
import { UserEntity } from '../../src/users/entities/user.entity';
import { ServiceProcess } from './service-process';

/** The people of a storm: users whose factors change, and a manager of their organization. */
export interface StormWorld {
  readonly organizationId: string;
  readonly users: readonly { readonly userId: string; readonly token: string }[];
  readonly manager: { readonly userId: string; readonly token: string };
}

const LOCAL_JWT = { issuer: 'auth-factors-local', audience: 'auth-factors' };

async function call(baseUrl: string, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Creates, through the API of the instance at `baseUrl` and as its instance
 * administrator, one organization with `count` users (verified phone and
 * e-mail) and an ORG_USER_MANAGER; tokens are signed with the key in `dataDir`.
 */
export async function provisionWorld(baseUrl: string, databaseUrl: string, dataDir: string, count: number): Promise<StormWorld> {
  const key = loadOrCreateSigningKey(dataDir);
  const token = (subject: string) => issueToken(key, { subject, ...LOCAL_JWT, expiresInSeconds: 3600 });
  const adminId = await withEntities(databaseUrl, async (dataSource) => {
    const owner = await dataSource.getRepository(MembershipEntity).findOneByOrFail({ scope: 'instance', roles: ArrayContains(['IAM_OWNER']) });
    return owner.userId;
  });
  const admin = token(adminId);
  const stamp = Date.now();
  const { organizationId } = await call(baseUrl, 'POST', '/v2/organizations', admin, { name: `storm-${stamp}` });
  const createUser = async (n: number) => {
    const { userId } = await call(baseUrl, 'POST', '/v2/users/human', admin, {
      username: `storm-${stamp}-${n}`,
      organization: { orgId: organizationId },
      profile: { givenName: 'Storm', familyName: `User ${n}` },
      phone: { phone: `+4176${String(1_000_000 + n).slice(-7)}`, isVerified: true },
      email: { email: `storm-${stamp}-${n}@example.com`, isVerified: true },
    });
    return { userId: userId as string, token: token(userId) };
  };
  const users: { userId: string; token: string }[] = [];
  for (let n = 0; n < count; n += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, count - n) }, (_, i) => createUser(n + i)))));
  }
  const manager = await createUser(count);
  await call(baseUrl, 'POST', `/v2/organizations/${organizationId}/members`, admin, { userId: manager.userId, roles: ['ORG_USER_MANAGER'] });
  return { organizationId, users, manager };
}

interface Operation {
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  readonly path: (userId: string) => string;
  readonly actor: 'self' | 'manager';
  readonly body?: (userId: string) => unknown;
  /** Connect (JSON over HTTP/1.1, on the REST port): the same RPCs gRPC clients call. */
  readonly connect?: true;
}

/** Connect's error codes (lower snake case names of the gRPC codes) as the gRPC numbers REST's error body carries. */
const CONNECT_CODES: Record<string, number> = {
  invalid_argument: 3,
  not_found: 5,
  already_exists: 6,
  permission_denied: 7,
  resource_exhausted: 8,
  failed_precondition: 9,
  aborted: 10,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
};

const rpc = (service: 'auth' | 'user', method: string) =>
  service === 'auth' ? `/zitadel.auth.v1.AuthService/${method}` : `/zitadel.user.v2.UserService/${method}`;

let phoneCounter = 0;
const freshPhone = () => `+4177${String(1_000_000 + (++phoneCounter % 9_000_000)).slice(-7)}`;

const V1 = '/auth/v1/users/me/auth_factors';
/** The storm's mix: every factor command through v1 (self) and v2 (manager), and the phone that OTP SMS depends on; over REST and Connect. */
export const STORM_OPERATIONS: readonly Operation[] = [
  ...(['otp_sms', 'otp_email'] as const).flatMap((factor): Operation[] => [
    { name: `v1 add ${factor}`, method: 'POST', path: () => `${V1}/${factor}`, actor: 'self', body: () => ({}) },
    { name: `v1 remove ${factor}`, method: 'DELETE', path: () => `${V1}/${factor}`, actor: 'self' },
    { name: `v2 add ${factor}`, method: 'POST', path: (id) => `/v2/users/${id}/${factor}`, actor: 'manager', body: () => ({}) },
    { name: `v2 remove ${factor}`, method: 'DELETE', path: (id) => `/v2/users/${id}/${factor}`, actor: 'manager' },
  ]),
  {
    name: 'set verified phone',
    method: 'POST',
    path: (id) => `/v2/users/${id}/phone`,
    actor: 'manager',
    body: () => ({ phone: freshPhone(), isVerified: true }),
  },
  {
    name: 'set verified phone',
    method: 'POST',
    path: (id) => `/v2/users/${id}/phone`,
    actor: 'manager',
    body: () => ({ phone: freshPhone(), isVerified: true }),
  },
  {
    name: 'set unverified phone',
    method: 'POST',
    path: (id) => `/v2/users/${id}/phone`,
    actor: 'manager',
    body: () => ({ phone: freshPhone(), isVerified: false }),
  },
  { name: 'remove phone', method: 'DELETE', path: (id) => `/v2/users/${id}/phone`, actor: 'manager' },
  // The same commands over Connect.
  ...(
    [
      ['OTPSMS', 'otp_sms'],
      ['OTPEmail', 'otp_email'],
    ] as const
  ).flatMap(([rpcName, factor]): Operation[] => [
    { name: `connect v1 add ${factor}`, method: 'POST', path: () => rpc('auth', `AddMyAuthFactor${rpcName}`), actor: 'self', body: () => ({}), connect: true },
    {
      name: `connect v1 remove ${factor}`,
      method: 'POST',
      path: () => rpc('auth', `RemoveMyAuthFactor${rpcName}`),
      actor: 'self',
      body: () => ({}),
      connect: true,
    },
    {
      name: `connect v2 add ${factor}`,
      method: 'POST',
      path: () => rpc('user', `Add${rpcName}`),
      actor: 'manager',
      body: (userId) => ({ userId }),
      connect: true,
    },
    {
      name: `connect v2 remove ${factor}`,
      method: 'POST',
      path: () => rpc('user', `Remove${rpcName}`),
      actor: 'manager',
      body: (userId) => ({ userId }),
      connect: true,
    },
  ]),
  {
    name: 'connect set verified phone',
    method: 'POST',
    path: () => rpc('user', 'SetPhone'),
    actor: 'manager',
    body: (userId) => ({ userId, phone: freshPhone(), isVerified: true }),
    connect: true,
  },
  { name: 'connect remove phone', method: 'POST', path: () => rpc('user', 'RemovePhone'), actor: 'manager', body: (userId) => ({ userId }), connect: true },
];

/** A write the service answered 200: it must be in the event log, whatever happens afterwards. */
export interface Acknowledged {
  readonly userId: string;
  readonly requestId: string;
  readonly sequence: number;
}

export interface StormResult {
  readonly requests: number;
  /** By outcome: `200`, `404/5` (status/gRPC code), `timeout`, `network`. */
  readonly outcomes: Record<string, number>;
  readonly byInstance: Record<string, number>;
  /** Requests by transport: `rest`, `connect`. */
  readonly byTransport: Record<string, number>;
  readonly maxLatencyMs: number;
  /** Requests that were not answered within the bound. */
  readonly overBound: number;
  /** Samples of outcomes the caller did not allow. */
  readonly unexpected: string[];
  readonly acknowledged: Acknowledged[];
  /** Answers by time: [ms since start, outcome, instance]. */
  readonly timeline: [number, string, string][];
}

export interface StormOptions {
  readonly world: StormWorld;
  /** The instances to spread requests over, asked before each request (one may be gone). */
  readonly targets: () => readonly string[];
  readonly clients: number;
  readonly durationMs: number;
  /** Every request must be answered within this (default 5 s); it is aborted a second later. */
  readonly boundMs?: number;
  /** Whether an outcome (`200`, `404/5`, `503/14`, `network`...) is allowed; others are collected in `unexpected`. */
  readonly allowed: (outcome: string) => boolean;
  /** Stops early when it resolves (a scenario's fault sequence ending). */
  readonly until?: Promise<unknown>;
}

/** `clients` concurrent clients sending random factor and phone commands for `durationMs`, spread over the targets. */
export async function runStorm(options: StormOptions): Promise<StormResult> {
  const boundMs = options.boundMs ?? 5000;
  const outcomes: Record<string, number> = {};
  const byInstance: Record<string, number> = {};
  const byTransport: Record<string, number> = {};
  const unexpected: string[] = [];
  const acknowledged: Acknowledged[] = [];
  const timeline: [number, string, string][] = [];
  let requests = 0;
  let maxLatencyMs = 0;
  let overBound = 0;
  const started = performance.now();
  let stopped = false;
  void options.until?.then(() => (stopped = true));
  const timer = setTimeout(() => (stopped = true), options.durationMs);
  const { users, manager } = options.world;

  const client = async () => {
    while (!stopped) {
      const targets = options.targets();
      if (targets.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const target = targets[Math.floor(Math.random() * targets.length)];
      const user = users[Math.floor(Math.random() * users.length)];
      const operation = STORM_OPERATIONS[Math.floor(Math.random() * STORM_OPERATIONS.length)];
      const requestId = randomUUID();
      const body = operation.body?.(user.userId);
      const headers: Record<string, string> = {
        authorization: `Bearer ${operation.actor === 'self' ? user.token : manager.token}`,
        'x-request-id': requestId,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const sent = performance.now();
      let outcome: string;
      let detail = '';
      try {
        const response = await fetch(`${target}${operation.path(user.userId)}`, {
          method: operation.method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(boundMs + 1000),
        });
        const text = await response.text();
        let parsed: any;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (response.status === 200) {
          outcome = '200';
          acknowledged.push({ userId: user.userId, requestId, sequence: Number(parsed.details.sequence) });
        } else if (operation.connect) {
          const code = CONNECT_CODES[parsed?.code as string];
          outcome = code !== undefined && typeof parsed?.message === 'string' ? `${response.status}/${code}` : `${response.status}/malformed`;
          detail = text.slice(0, 300);
        } else {
          const wellFormed = typeof parsed?.code === 'number' && typeof parsed?.message === 'string' && typeof parsed?.details?.[0]?.id === 'string';
          outcome = wellFormed ? `${response.status}/${parsed.code}` : `${response.status}/malformed`;
          detail = text.slice(0, 300);
        }
      } catch (error) {
        const name = (error as Error).name;
        outcome = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
        detail = String((error as Error).cause ?? error);
      }
      const latency = performance.now() - sent;
      requests++;
      maxLatencyMs = Math.max(maxLatencyMs, latency);
      if (latency > boundMs) overBound++;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      byInstance[target] = (byInstance[target] ?? 0) + 1;
      const transport = operation.connect ? 'connect' : 'rest';
      byTransport[transport] = (byTransport[transport] ?? 0) + 1;
      timeline.push([sent - started, outcome, target]);
      if (!options.allowed(outcome) && unexpected.length < 20) {
        unexpected.push(`${operation.name} on ${target} (request ${requestId}) -> ${outcome} in ${Math.round(latency)} ms ${detail}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  clearTimeout(timer);
  return { requests, outcomes, byInstance, byTransport, maxLatencyMs: Math.round(maxLatencyMs), overBound, unexpected, acknowledged, timeline };
}

/** The answers a storm expects from a healthy service: success, or a domain refusal (precondition, absent, present). */
export const DOMAIN_OUTCOMES: ReadonlySet<string> = new Set(['200', '400/9', '404/5', '409/6']);

export interface ConsistencyReport {
  readonly users: number;
  readonly events: number;
  readonly factors: number;
  readonly acknowledged: number;
  readonly problems: string[];
}

type EventRow = EventEntity & { payload: { phone?: string } };

/** Runs `work` with a data source of the service's entities on the database of service processes run apart. */
async function withEntities<T>(databaseUrl: string, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: ENTITIES });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * What must hold for every user after any storm, fault or crash: replaying the
 * events gives the read model's factors and phone; sequences are 1..n without
 * gap or duplicate and the stream's counter is n; every command is whole (one
 * transaction: one time, consecutive sequences; OTP SMS removed with the phone);
 * and every write answered 200 is in the log.
 */
export async function checkConsistency(
  databaseUrl: string,
  userIds: readonly string[],
  acknowledged: readonly Acknowledged[] = [],
): Promise<ConsistencyReport> {
  return withEntities(databaseUrl, async (dataSource) => {
    const ids = [...userIds];
    const events = (await dataSource
      .getRepository(EventEntity)
      .find({ where: { aggregateId: In(ids) }, order: { aggregateId: 'ASC', sequence: 'ASC' } })) as EventRow[];
    const streams = new Map(
      (await dataSource.getRepository(EventStreamEntity).findBy({ aggregateId: In(ids) })).map((r) => [r.aggregateId, Number(r.sequence)]),
    );
    const factorRows = await dataSource.getRepository(AuthFactorEntity).find({ select: { userId: true, type: true }, where: { userId: In(ids) } });
    const users = new Map(
      (await dataSource.getRepository(UserEntity).find({ select: { id: true, phone: true, phoneVerified: true }, where: { id: In(ids) } })).map((r) => [
        r.id,
        r,
      ]),
    );
    const problems: string[] = [];
    const byUser = new Map<string, EventRow[]>();
    for (const event of events) byUser.set(event.aggregateId, [...(byUser.get(event.aggregateId) ?? []), event]);

    for (const userId of ids) {
      const log = byUser.get(userId) ?? [];
      const say = (problem: string) => problems.push(`user ${userId}: ${problem}`);
      const sequences = log.map((e) => Number(e.sequence));
      if (sequences.some((s, i) => s !== i + 1)) say(`sequences are not 1..${log.length}: ${sequences.join(',')}`);
      if ((streams.get(userId) ?? 0) !== log.length) say(`event_streams.sequence ${streams.get(userId)} but ${log.length} events`);

      const replayed = [...replayAuthFactors(log)].sort();
      const stored = factorRows
        .filter((r) => r.userId === userId)
        .map((r) => r.type)
        .sort();
      if (replayed.join() !== stored.join()) say(`replay gives [${replayed.join()}] but the read model holds [${stored.join()}]`);

      // The phone, replayed, is the read model's; OTP SMS never outlives it, and its removal is part of the phone's.
      let phone: string | null = null;
      let verified = false;
      const factors = new Set<string>();
      for (const [i, event] of log.entries()) {
        if (event.type === 'user.human.phone.changed') [phone, verified] = [event.payload.phone ?? null, false];
        if (event.type === 'user.human.phone.verified') verified = true;
        if (event.type === 'user.human.phone.removed') {
          const previous = log[i - 1];
          if (factors.has('otp_sms') && !(previous?.type === 'user.human.otp.sms.removed' && previous.requestId === event.requestId)) {
            say(`phone removed at ${event.sequence} while OTP SMS was configured, without its otp.sms.removed in the same command`);
          }
          [phone, verified] = [null, false];
        }
        if (event.type === 'user.human.otp.sms.added') {
          if (phone === null || !verified) say(`OTP SMS added at ${event.sequence} without a verified phone`);
          factors.add('otp_sms');
        }
        if (event.type === 'user.human.otp.sms.removed') factors.delete('otp_sms');
      }
      const row = users.get(userId);
      if (!row) say('missing from the users read model');
      else if (row.phone !== phone || row.phoneVerified !== verified) {
        say(`phone replayed as ${phone} (verified ${verified}) but stored as ${row.phone} (verified ${row.phoneVerified})`);
      }
      if (stored.includes('otp_sms') && row?.phone == null) say('OTP SMS configured without a phone');

      // One command, one transaction: its events share the time and follow each other.
      const commands = new Map<string, EventRow[]>();
      for (const event of log) if (event.requestId) commands.set(event.requestId, [...(commands.get(event.requestId) ?? []), event]);
      for (const [requestId, command] of commands) {
        const first = Number(command[0].sequence);
        if (command.some((e, i) => Number(e.sequence) !== first + i || e.createdAt.getTime() !== command[0].createdAt.getTime())) {
          say(`the events of request ${requestId} are not one transaction: ${command.map((e) => `${e.sequence} ${e.type}`).join('; ')}`);
        }
      }
    }

    // Nothing acknowledged is lost.
    const stored = new Set(events.map((e) => `${e.aggregateId}/${e.sequence}/${e.requestId}`));
    for (const ack of acknowledged) {
      if (!stored.has(`${ack.userId}/${ack.sequence}/${ack.requestId}`))
        problems.push(`acknowledged write lost: request ${ack.requestId}, user ${ack.userId}, sequence ${ack.sequence}`);
    }
    return { users: ids.length, events: events.length, factors: factorRows.length, acknowledged: acknowledged.length, problems: problems.slice(0, 30) };
  });
}

/** One line of figures for the test output. */
function summarize(name: string, result: StormResult, report?: ConsistencyReport): string {
  const outcomes = Object.entries(result.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, n]) => `${outcome}: ${n}`)
    .join(', ');
  const instances = Object.values(result.byInstance).join('/');
  const consistency = report
    ? `; checked ${report.users} users, ${report.events} events, ${report.factors} factors, ${report.acknowledged} acknowledged writes, ${report.problems.length} problems`
    : '';
  return `${name}: ${result.requests} requests (per instance ${instances}; REST ${result.byTransport.rest ?? 0}, Connect ${result.byTransport.connect ?? 0}), {${outcomes}}, max latency ${result.maxLatencyMs} ms${consistency}`;
}

/** The log lines of the instances that concern the unexpected answers (by request id), for the failure message. */
function logsOfUnexpected(result: StormResult, logs: readonly string[]): string {
  const ids = result.unexpected.map((line) => /\(request ([0-9a-f-]{36})\)/.exec(line)?.[1]).filter((id): id is string => id !== undefined);
  return logs
    .flatMap((log) => log.split('\n'))
    .filter((line) => ids.some((id) => line.includes(id)))
    .join('\n');
}

/** Two instances of one deployment (one database, one signing key, made before either starts) and their provisioned world. */
export async function startDeployment(
  databaseUrl: string,
  users: number,
  env: Record<string, string>,
): Promise<{ instances: ServiceProcess[]; world: StormWorld }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-deployment-'));
  loadOrCreateSigningKey(dataDir);
  const instances = await Promise.all([0, 1].map(() => ServiceProcess.start({ databaseUrl, dataDir, env })));
  const world = await provisionWorld(instances[0].url, databaseUrl, dataDir, users);
  return { instances, world };
}

/**
 * After a storm: checks every user of the world against its events, prints one line of figures (with `extra`),
 * and, when anything was unexpected, the unexpected answers, the problems and the instances' log lines of those requests.
 */
export async function checkAndReport(
  title: string,
  databaseUrl: string,
  world: StormWorld,
  result: StormResult,
  instances: readonly ServiceProcess[],
  extra?: Record<string, unknown>,
): Promise<ConsistencyReport> {
  const report = await checkConsistency(databaseUrl, [...world.users.map((u) => u.userId), world.manager.userId], result.acknowledged);
  console.log(`${summarize(title, result, report)}${extra ? `; ${JSON.stringify(extra)}` : ''}`);
  if (result.unexpected.length > 0 || report.problems.length > 0) {
    const logs = logsOfUnexpected(
      result,
      instances.map((i) => i.log),
    );
    console.log(`unexpected answers:\n${result.unexpected.join('\n')}\nproblems:\n${report.problems.join('\n')}\nlogs:\n${logs}`);
  }
  return report;
}
