/**
 * The reference floor: the thinnest implementation of the benchmarked requests
 * (add / remove OTP SMS and OTP Email, over auth v1 "me" and user v2), on
 * node:http and a pg Pool. Deliberately independent of the service's code: it
 * shares only the schema (the same migrations) and the wire contract — JWT
 * verification (RS256, issuer, audience, active subject), the command's
 * guarantees (the user locked, the checks, the read model changed, the event
 * appended, the sequence advanced, all or nothing) and the same JSON bodies.
 *
 * FLOOR_MODE=one-statement (the default): each request is one statement, a CTE
 * that checks the subject, locks the user, checks the caller's roles and the
 * factor's precondition, changes the factor, advances the stream and appends
 * the event; autocommit, so no BEGIN or COMMIT. FLOOR_MODE=stepwise: the same
 * work as a transaction of separate statements (about six per request), the
 * way a layered implementation issues them.
 *
 * Run by node itself (type stripping), no compiler loaded. Environment: PORT, DATABASE_URL, DATA_DIR (holds jwt-signing-key.json),
 * JWT_ISSUER, JWT_AUDIENCE, DATABASE_POOL_SIZE.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import type { PoolClient } from 'pg';

type FactorType = 'otp_sms' | 'otp_email';
type Api = 'v1' | 'v2';
type Action = 'add' | 'remove';

interface Factor {
  readonly type: FactorType;
  readonly label: string;
  readonly errorPrefix: string;
  readonly addedEvent: string;
  readonly removedEvent: string;
  readonly channel: string;
  readonly verified: (user: LockedUser) => boolean;
}

interface LockedUser {
  readonly organization_id: string;
  readonly email: string | null;
  readonly email_verified: boolean;
  readonly phone: string | null;
  readonly phone_verified: boolean;
}

const FACTORS: Record<FactorType, Factor> = {
  otp_sms: {
    type: 'otp_sms',
    label: 'OTP SMS',
    errorPrefix: 'AUTHF-SMS',
    addedEvent: 'user.human.otp.sms.added',
    removedEvent: 'user.human.otp.sms.removed',
    channel: 'a verified phone',
    verified: (user) => user.phone !== null && user.phone_verified,
  },
  otp_email: {
    type: 'otp_email',
    label: 'OTP Email',
    errorPrefix: 'AUTHF-EMAIL',
    addedEvent: 'user.human.otp.email.added',
    removedEvent: 'user.human.otp.email.removed',
    channel: 'a verified e-mail address',
    verified: (user) => user.email !== null && user.email_verified,
  },
};

const PERMISSIONS: Record<string, readonly string[]> = {
  IAM_OWNER: ['user.read', 'user.write', 'user.credential.write'],
  ORG_OWNER: ['user.read', 'user.write', 'user.credential.write'],
  ORG_USER_MANAGER: ['user.read', 'user.write', 'user.credential.write'],
};

const LOCK_USER = `SELECT organization_id, email, email_verified, phone, phone_verified FROM users WHERE id = $1 FOR UPDATE`;
const ROLES = `SELECT scope, roles FROM memberships WHERE user_id = $1 AND scope IN ('instance', $2)`;
const ADD = 'INSERT INTO auth_factors (user_id, type, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING';
const REMOVE = 'DELETE FROM auth_factors WHERE user_id = $1 AND type = $2';
const APPEND = `
  WITH stream AS (
    INSERT INTO event_streams AS s (aggregate_id, aggregate_type, sequence)
    VALUES ($1, 'user', 1)
    ON CONFLICT (aggregate_id) DO UPDATE SET sequence = s.sequence + 1, changed_at = now()
    RETURNING s.sequence
  )
  INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, payload)
  SELECT 'user', $1, stream.sequence, $2, $3, $4, $5, '{}'::jsonb FROM stream
  RETURNING sequence, created_at`;

// One statement per command. `target` locks the user row (FOR UPDATE waits for a concurrent command; READ COMMITTED
// then re-reads the row); the factor change sees the committed state, so of two concurrent removals one deletes.
const ONE_STATEMENT = (action: Action) => `
  WITH caller AS (
    SELECT 1 FROM users WHERE id = $2 AND state = 'active'
  ), target AS (
    SELECT u.id, u.organization_id,
      CASE $3 WHEN 'otp_sms' THEN u.phone IS NOT NULL AND u.phone_verified ELSE u.email IS NOT NULL AND u.email_verified END AS channel_ok,
      (SELECT array_agg(r) FROM memberships m, unnest(m.roles) r WHERE m.user_id = $2 AND m.scope IN ('instance', u.organization_id)) AS roles
    FROM users u WHERE u.id = $1 AND EXISTS (SELECT 1 FROM caller) FOR UPDATE OF u
  ), allowed AS (
    SELECT * FROM target WHERE id = $2 OR roles && $6::text[]
  ), changed AS (
    ${
      action === 'add'
        ? `INSERT INTO auth_factors (user_id, type, created_at) SELECT id, $3, now() FROM allowed WHERE channel_ok ON CONFLICT DO NOTHING RETURNING user_id`
        : `DELETE FROM auth_factors f USING allowed a WHERE f.user_id = a.id AND f.type = $3 RETURNING f.user_id`
    }
  ), stream AS (
    INSERT INTO event_streams AS s (aggregate_id, aggregate_type, sequence)
    SELECT user_id, 'user', 1 FROM changed
    ON CONFLICT (aggregate_id) DO UPDATE SET sequence = s.sequence + 1, changed_at = now()
    RETURNING s.aggregate_id, s.sequence
  ), event AS (
    INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, payload)
    SELECT 'user', stream.aggregate_id, stream.sequence, $4, $2, (SELECT organization_id FROM target), $5, '{}'::jsonb FROM stream
    RETURNING sequence, created_at
  )
  SELECT EXISTS (SELECT 1 FROM caller) AS active, t.organization_id, t.channel_ok, t.roles, (SELECT id FROM allowed) IS NOT NULL AS allowed,
         e.sequence, e.created_at
  FROM (SELECT 1) one LEFT JOIN target t ON true LEFT JOIN event e ON true`;
const ONE_STATEMENT_ADD = ONE_STATEMENT('add');
const ONE_STATEMENT_REMOVE = ONE_STATEMENT('remove');
const ROLES_FOR: Record<Action, string[]> = {
  add: Object.keys(PERMISSIONS).filter((role) => PERMISSIONS[role].includes('user.credential.write')),
  remove: Object.keys(PERMISSIONS).filter((role) => PERMISSIONS[role].includes('user.write')),
};

// Plain fields, no parameter properties: node runs this file by stripping the types.
class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly id: string;
  readonly text: string;

  constructor(status: number, code: number, id: string, text: string) {
    super(text);
    this.status = status;
    this.code = code;
    this.id = id;
    this.text = text;
  }
}

const userNotFound = () => new ApiError(404, 5, 'AUTHF-USER-404', 'User not found');
const unauthenticated = (id: string, text: string) => new ApiError(401, 16, id, text);

const env = process.env;
const dataDir = env.DATA_DIR ?? './.data';
const publicKey = (JSON.parse(readFileSync(join(dataDir, 'jwt-signing-key.json'), 'utf8')) as { publicKeyPem: string }).publicKeyPem;
const issuer = env.JWT_ISSUER ?? 'auth-factors-local';
const audience = env.JWT_AUDIENCE ?? 'auth-factors';
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_SIZE ?? 10) });
const oneStatement = (env.FLOOR_MODE ?? 'one-statement') === 'one-statement';

/** The token's subject, once the token checks out (the subject's being active is the command's to check). */
function verifiedSubject(request: IncomingMessage): string {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) throw unauthenticated('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)');
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(header.slice(7), publicKey, { algorithms: ['RS256'], issuer, audience }) as jwt.JwtPayload;
  } catch {
    throw unauthenticated('AUTHF-AUTH-003', 'The token is invalid');
  }
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) throw unauthenticated('AUTHF-AUTH-003', 'The token is invalid');
  return subject;
}

/** One command as one statement; the row it returns says which check failed, if any. */
async function oneStatementCommand(api: Api, action: Action, factor: Factor, callerId: string, userId: string, requestId: string): Promise<object> {
  const type = action === 'add' ? factor.addedEvent : factor.removedEvent;
  const sql = action === 'add' ? ONE_STATEMENT_ADD : ONE_STATEMENT_REMOVE;
  const row = (
    await pool.query<{
      active: boolean;
      organization_id: string | null;
      channel_ok: boolean | null;
      roles: string[] | null;
      allowed: boolean;
      sequence: string | null;
      created_at: Date | null;
    }>(sql, [userId, callerId, factor.type, type, requestId, ROLES_FOR[action]])
  ).rows[0];
  if (!row.active) throw unauthenticated('AUTHF-AUTH-004', 'The token does not belong to an active user');
  if (row.organization_id === null || (!row.allowed && !row.roles)) throw userNotFound();
  if (!row.allowed)
    throw new ApiError(403, 7, 'AUTHF-PERM-403', `Permission ${action === 'add' ? 'user.credential.write' : 'user.write'} is required for this user`);
  if (row.sequence === null) {
    if (action === 'remove') throw new ApiError(404, 5, `${factor.errorPrefix}-404`, `${factor.label} is not configured for this user`);
    if (!row.channel_ok) throw new ApiError(400, 9, `${factor.errorPrefix}-PRECONDITION`, `${factor.label} needs ${factor.channel}`);
    throw new ApiError(409, 6, `${factor.errorPrefix}-409`, `${factor.label} is already configured for this user`);
  }
  const date = row.created_at!.toISOString();
  const details: Record<string, string> = { sequence: row.sequence, resourceOwner: row.organization_id };
  if (api === 'v1') details.creationDate = date;
  if (api === 'v2' || action === 'remove') details.changeDate = date;
  return { details };
}

/** The token's subject, once the token and its user check out (stepwise: a statement of its own). */
async function authenticate(request: IncomingMessage): Promise<string> {
  const subject = verifiedSubject(request);
  const active = await pool.query(`SELECT 1 FROM users WHERE id = $1 AND state = 'active'`, [subject]);
  if (active.rowCount === 0) throw unauthenticated('AUTHF-AUTH-004', 'The token does not belong to an active user');
  return subject;
}

async function authorize(client: PoolClient, callerId: string, target: LockedUser, permission: string): Promise<void> {
  const { rows } = await client.query<{ roles: string[] }>(ROLES, [callerId, target.organization_id]);
  if (rows.length === 0) throw userNotFound();
  if (!rows.some((row) => row.roles.some((role) => PERMISSIONS[role]?.includes(permission)))) {
    throw new ApiError(403, 7, 'AUTHF-PERM-403', `Permission ${permission} is required for this user`);
  }
}

/** One command, one transaction; returns the wire `details`. */
async function command(api: Api, action: Action, factor: Factor, callerId: string, userId: string, requestId: string): Promise<object> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const user = (await client.query<LockedUser>(LOCK_USER, [userId])).rows[0];
    if (!user) throw userNotFound();
    if (userId !== callerId) await authorize(client, callerId, user, action === 'add' ? 'user.credential.write' : 'user.write');
    if (action === 'add') {
      if (!factor.verified(user)) throw new ApiError(400, 9, `${factor.errorPrefix}-PRECONDITION`, `${factor.label} needs ${factor.channel}`);
      if ((await client.query(ADD, [userId, factor.type])).rowCount !== 1) {
        throw new ApiError(409, 6, `${factor.errorPrefix}-409`, `${factor.label} is already configured for this user`);
      }
    } else if ((await client.query(REMOVE, [userId, factor.type])).rowCount !== 1) {
      throw new ApiError(404, 5, `${factor.errorPrefix}-404`, `${factor.label} is not configured for this user`);
    }
    const type = action === 'add' ? factor.addedEvent : factor.removedEvent;
    const event = (await client.query<{ sequence: string; created_at: Date }>(APPEND, [userId, type, callerId, user.organization_id, requestId])).rows[0];
    await client.query('COMMIT');
    const date = event.created_at.toISOString();
    const details: Record<string, string> = { sequence: event.sequence, resourceOwner: user.organization_id };
    if (api === 'v1') details.creationDate = date;
    if (api === 'v2' || action === 'remove') details.changeDate = date;
    return { details };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const V1 = /^\/auth\/v1\/users\/me\/auth_factors\/(otp_sms|otp_email)$/;
const V2 = /^\/v2\/users\/([^/]{1,200})\/(otp_sms|otp_email)$/;

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendError(response: ServerResponse, error: ApiError): void {
  send(response, error.status, {
    code: error.code,
    message: `${error.text} (${error.id})`,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: error.id, message: error.text }],
  });
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  response.setHeader('x-request-id', requestId);
  const action: Action | undefined = request.method === 'POST' ? 'add' : request.method === 'DELETE' ? 'remove' : undefined;
  const path = request.url ?? '';
  const v1 = V1.exec(path);
  const v2 = v1 ? null : V2.exec(path);
  if (!action || (!v1 && !v2)) throw new ApiError(404, 5, 'AUTHF-ROUTE-404', 'Not found');
  for await (const _ of request); // drain the (empty or `{}`) body
  const callerId = oneStatement ? verifiedSubject(request) : await authenticate(request);
  const run = oneStatement ? oneStatementCommand : command;
  const result = v1
    ? await run('v1', action, FACTORS[v1[1] as FactorType], callerId, callerId, requestId)
    : await run('v2', action, FACTORS[v2![2] as FactorType], callerId, decodeURIComponent(v2![1]), requestId);
  send(response, 200, result);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (error instanceof ApiError) return sendError(response, error);
    console.error(error);
    sendError(response, new ApiError(500, 13, 'AUTHF-INTERNAL', 'Internal error'));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(env.PORT ?? 8090), '127.0.0.1');
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
