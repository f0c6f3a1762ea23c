import { systemCaller } from '@app/auth';
import { EventEntity, EventStreamEntity } from '@app/eventstore';
import { AuthFactorEntity } from '../../src/auth-factors/entities/auth-factor.entity';
import { ChannelsService } from '../../src/channels/channels.service';
import { ApiResponse, TestApp } from './test-app';

let counter = 0;

export interface TestUser {
  readonly userId: string;
  readonly organizationId: string;
  readonly token: string;
}

export interface UserOptions {
  readonly phone?: string | null;
  readonly phoneVerified?: boolean;
  readonly email?: string | null;
  readonly emailVerified?: boolean;
}

/** Creates an organization through the API, as the instance administrator. */
export async function createOrganization(t: TestApp, name = `org-${++counter}`): Promise<string> {
  const response = await t.request('POST', '/v2/organizations', { token: t.adminToken, body: { name } });
  if (response.status !== 200) throw new Error(`creating an organization: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.organizationId;
}

/** Creates a human user through the API (verified phone and email unless told otherwise). */
export async function createUser(t: TestApp, organizationId: string, options: UserOptions = {}): Promise<TestUser> {
  const n = ++counter;
  const phone = options.phone === undefined ? `+4179${String(1000000 + n).slice(-7)}` : options.phone;
  const email = options.email === undefined ? `user${n}@example.com` : options.email;
  const body: Record<string, unknown> = {
    username: `user-${n}-${Date.now()}`,
    organization: { orgId: organizationId },
    profile: { givenName: 'Test', familyName: `User ${n}` },
  };
  if (phone !== null) body.phone = { phone, isVerified: options.phoneVerified ?? true };
  if (email !== null) body.email = { email, isVerified: options.emailVerified ?? true };
  const response = await t.request('POST', '/v2/users/human', { token: t.adminToken, body });
  if (response.status !== 200) throw new Error(`creating a user: ${response.status} ${JSON.stringify(response.body)}`);
  return { userId: response.body.userId, organizationId, token: t.token(response.body.userId) };
}

/** Grants roles in an organization through the API, as the instance administrator. */
export async function grantRoles(t: TestApp, organizationId: string, userId: string, roles: string[]): Promise<void> {
  const response = await t.request('POST', `/v2/organizations/${organizationId}/members`, { token: t.adminToken, body: { userId, roles } });
  if (response.status !== 200) throw new Error(`granting roles: ${response.status} ${JSON.stringify(response.body)}`);
}

/** Where the readers below look: a test app, or any module's data source. */
type StoredState = Pick<TestApp, 'dataSource'>;

/** The aggregate's stored events (entities, bigint columns as strings), oldest first. */
export function storedEvents(t: StoredState, aggregateId: string): Promise<EventEntity[]> {
  return t.dataSource.getRepository(EventEntity).find({ where: { aggregateId }, order: { sequence: 'ASC' } });
}

/** The user's stored events, oldest first. */
export async function eventsOf(t: StoredState, userId: string): Promise<{ sequence: number; type: string; creator: string; payload: any }[]> {
  return (await storedEvents(t, userId)).map((event) => ({
    sequence: Number(event.sequence),
    type: event.type,
    creator: event.creator,
    payload: event.payload,
  }));
}

/** The id of the aggregate's first event of this type, or with this sequence. */
export async function eventIdOf(t: StoredState, aggregateId: string, which: { type: string } | { sequence: number }): Promise<string> {
  const where = 'type' in which ? { aggregateId, type: which.type } : { aggregateId, sequence: String(which.sequence) };
  return (await t.dataSource.getRepository(EventEntity).findOneOrFail({ select: { id: true }, where, order: { id: 'ASC' } })).id;
}

/** The aggregate's stream counter (0 before its first event). */
export async function streamSequence(t: StoredState, aggregateId: string): Promise<number> {
  const stream = await t.dataSource.getRepository(EventStreamEntity).findOneBy({ aggregateId });
  return Number(stream?.sequence ?? 0);
}

/** The factor types the read model holds for the user, in name order. */
export async function storedFactorTypes(t: StoredState, userId: string): Promise<string[]> {
  const factors = await t.dataSource.getRepository(AuthFactorEntity).find({ select: { type: true }, where: { userId }, order: { type: 'ASC' } });
  return factors.map((factor) => factor.type);
}

/**
 * Gives a user a verified phone or e-mail address through the channels service, as the service itself: the one way
 * to vouch for any user's channel, the instance administrator's own included (nobody may do that for themselves).
 */
export async function giveVerifiedChannel(t: TestApp, userId: string, channel: 'phone' | 'email', value: string): Promise<void> {
  const channels = t.app.get(ChannelsService);
  const caller = systemCaller('test-fixture');
  if (channel === 'phone') await channels.setPhone(caller, userId, value, { kind: 'isVerified', value: true });
  else await channels.setEmail(caller, userId, value, { kind: 'isVerified', value: true });
}

/** Asserts the error body's status, gRPC code and first detail id together, so a failure shows all three. */
export function expectError(response: ApiResponse, status: number, code: number, id: string): void {
  expect({ status: response.status, code: response.body?.code, id: response.body?.details?.[0]?.id }).toEqual({ status, code, id });
}
