import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { loadOrCreateSigningKey } from '@app/auth';
import { createOrganization, createUser, eventsOf, TestUser } from './support/fixtures';
import { JwksServer } from './support/jwks-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * One table of hostile (and two genuine) tokens, each sent to the same command over every transport: REST, Connect
 * and gRPC-web on the HTTP port, gRPC on the h2c port. Every transport must come to the same outcome, the one
 * the table names, and nothing may change. The table runs with the local development key and with a JWKS issuer.
 *
 * The command is the caller's own OTP SMS removal under a step-up policy: a user without OTP SMS and a fresh
 * sign-in gets 404 `AUTHF-SMS-404` (authenticated, nothing to remove), a stale or future `auth_time` gets 403
 * `AUTHF-STEPUP-403`, so an accepted token is told apart from a refused one without changing anything.
 */

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const REST_PATH = '/auth/v1/users/me/auth_factors/otp_sms';
const RPC_PATH = '/zitadel.auth.v1.AuthService/RemoveMyAuthFactorOTPSMS';
const ACCEPTED = 'AUTHF-SMS-404';
const NOT_FRESH = 'AUTHF-STEPUP-403';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** What a transport answered: the gRPC code and the error id, as REST's body and the RPCs' ErrorDetail carry them. */
interface Outcome {
  readonly code: number;
  readonly id: string;
}

const CODE_OF_ID: Record<string, number> = { [ACCEPTED]: 5, [NOT_FRESH]: 7 };
const expectedOutcome = (id: string): Outcome => ({ code: CODE_OF_ID[id] ?? 16, id });

/** Connect's JSON error codes by name. */
const CONNECT_CODES: Record<string, number> = { not_found: 5, permission_denied: 7, unauthenticated: 16 };
const idOf = (message: string): string => /\((AUTHF-[A-Z0-9-]+)\)$/.exec(message)?.[1] ?? `no id in ${JSON.stringify(message)}`;

/** An HTTP/1.1 request with one header line per `Authorization` value (fetch would join them into one line). */
function http1(
  url: string,
  method: string,
  path: string,
  headers: readonly string[],
  authorizations: readonly string[],
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const lines = [...headers, 'host', new URL(url).host, ...authorizations.flatMap((value) => ['authorization', value])];
    if (body) lines.push('content-length', String(body.length));
    const request = httpRequest(`${url}${path}`, { method, headers: lines }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** An empty protobuf message in a gRPC(-web) frame: the RemoveMyAuthFactorOTPSMS request has no fields. */
const EMPTY_FRAME = Buffer.alloc(5);

/** The status of a gRPC-web answer: in the headers (trailers-only) or in the trailer frame after the messages. */
function grpcWebStatus(headers: Record<string, string | string[] | undefined>, body: Buffer): { status: string; message: string } {
  if (headers['grpc-status'] !== undefined) return { status: String(headers['grpc-status']), message: String(headers['grpc-message'] ?? '') };
  const trailers: Record<string, string> = {};
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    if (body[at] & 0x80) {
      for (const line of body
        .subarray(at + 5, at + 5 + length)
        .toString()
        .split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
    at += 5 + length;
  }
  return { status: trailers['grpc-status'] ?? '', message: trailers['grpc-message'] ?? '' };
}

type Transport = 'rest' | 'connect' | 'grpc-web' | 'grpc';
const TRANSPORTS: readonly Transport[] = ['rest', 'connect', 'grpc-web', 'grpc'];

/** Sends the command with these `Authorization` header values over one transport; the outcome as the client sees it. */
async function send(t: TestApp, transport: Transport, authorizations: readonly string[]): Promise<Outcome> {
  switch (transport) {
    case 'rest': {
      const answer = await http1(t.url, 'DELETE', REST_PATH, [], authorizations);
      const body = JSON.parse(answer.body.toString());
      // The contract's error body, and the HTTP status of its code.
      expect(body).toEqual({ code: expect.any(Number), message: `${body.details[0].message} (${body.details[0].id})`, details: expect.any(Array) });
      expect(body.details[0]).toEqual({ '@type': ERROR_DETAIL_TYPE, id: expect.any(String), message: expect.any(String) });
      expect(answer.status).toBe({ 5: 404, 7: 403, 16: 401 }[body.code as number]);
      return { code: body.code, id: body.details[0].id };
    }
    case 'connect': {
      const answer = await http1(t.url, 'POST', RPC_PATH, ['content-type', 'application/json'], authorizations, Buffer.from('{}'));
      const body = JSON.parse(answer.body.toString());
      return { code: CONNECT_CODES[body.code] ?? -1, id: idOf(body.message) };
    }
    case 'grpc-web': {
      const answer = await http1(t.url, 'POST', RPC_PATH, ['content-type', 'application/grpc-web+proto', 'x-grpc-web', '1'], authorizations, EMPTY_FRAME);
      const { status, message } = grpcWebStatus(answer.headers, answer.body);
      return { code: Number(status), id: idOf(decodeURIComponent(message)) };
    }
    case 'grpc': {
      // Node's HTTP/2 client refuses to send two `authorization` fields: the suite sends those over HTTP/1.1 only.
      if (authorizations.length > 1) throw new Error('gRPC cannot carry two Authorization headers from this client');
      const session = http2Connect(t.grpcUrl);
      try {
        return await new Promise<Outcome>((resolve, reject) => {
          const stream = session.request({
            ':method': 'POST',
            ':path': RPC_PATH,
            'content-type': 'application/grpc+proto',
            te: 'trailers',
            ...(authorizations.length === 1 ? { authorization: authorizations[0] } : {}),
          });
          let headers: Record<string, string | string[] | number | undefined> = {};
          stream.on('response', (received) => (headers = received));
          stream.on('trailers', (trailers) => (headers = { ...headers, ...trailers }));
          stream.on('data', () => undefined);
          stream.on('end', () => resolve({ code: Number(headers['grpc-status']), id: idOf(decodeURIComponent(String(headers['grpc-message'] ?? ''))) }));
          stream.on('error', reject);
          stream.end(EMPTY_FRAME);
        });
      } finally {
        session.close();
      }
    }
  }
}

/** The issuer's keys and the users every case works with. */
interface Context {
  readonly t: TestApp;
  readonly mode: Mode;
  /** The key genuine tokens are signed with (the instance's key, published in the JWKS in that mode). */
  readonly key: { readonly kid: string; readonly privateKeyPem: string; readonly publicKeyPem: string };
  /** A second key of the issuer (JWKS mode: also published). */
  readonly otherKey: { readonly kid: string; readonly privateKeyPem: string };
  /** The user every forged token claims to be: no OTP SMS, so an accepted token meets `AUTHF-SMS-404`. */
  readonly victim: TestUser;
  /** Someone else, holding a genuine token. */
  readonly other: TestUser;
}

type Mode = 'local key' | 'JWKS';

/** The claims a genuine token for the victim carries; cases override some of them. */
function claims(c: Context, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { sub: c.victim.userId, iss: c.t.config.jwt.issuer, aud: c.t.config.jwt.audience, iat: now, exp: now + 3600, auth_time: now, ...overrides };
}

function withoutExp({ exp: _exp, ...rest }: Record<string, unknown>): Record<string, unknown> {
  return rest;
}

/** Signs with the issuer's genuine key (RS256), so only the claims (or the header's `kid`) can be at fault. */
function signed(c: Context, payload: Record<string, unknown>, keyid: string | null = c.key.kid): string {
  return jwt.sign(payload, c.key.privateKeyPem, { algorithm: 'RS256', ...(keyid === null ? {} : { keyid }) });
}

interface Case {
  readonly name: string;
  /** The `Authorization` header values to send (none, one, or several header lines). */
  readonly authorizations: (c: Context) => string[];
  /** The error id every transport must answer with, per mode when they differ. */
  readonly id: string | Record<Mode, string>;
  /** Only over HTTP/1.1 (Node's HTTP/2 client cannot send it). */
  readonly http1Only?: true;
}

const bearer = (token: string): string[] => [`Bearer ${token}`];

const CASES: readonly Case[] = [
  { name: 'a genuine token (accepted)', authorizations: (c) => bearer(signed(c, claims(c))), id: ACCEPTED },
  { name: 'a genuine token, the scheme in lower case (accepted)', authorizations: (c) => [`bearer ${signed(c, claims(c))}`], id: ACCEPTED },
  {
    name: 'a token with a future auth_time (accepted, not fresh)',
    authorizations: (c) => bearer(signed(c, claims(c, { auth_time: nowSeconds() + 3600 }))),
    id: NOT_FRESH,
  },
  { name: 'no Authorization header', authorizations: () => [], id: 'AUTHF-AUTH-001' },
  {
    name: 'a Basic instead of a Bearer scheme',
    authorizations: (c) => [`Basic ${Buffer.from(`${c.victim.userId}:secret`).toString('base64')}`],
    id: 'AUTHF-AUTH-001',
  },
  { name: 'a valid token without the Bearer scheme', authorizations: (c) => [signed(c, claims(c))], id: 'AUTHF-AUTH-001' },
  { name: 'a valid token followed by more text', authorizations: (c) => [`Bearer ${signed(c, claims(c))} junk`], id: 'AUTHF-AUTH-001' },
  { name: 'two Bearer tokens in one header', authorizations: (c) => [`Bearer ${signed(c, claims(c))}, Bearer ${c.other.token}`], id: 'AUTHF-AUTH-001' },
  {
    name: 'two Authorization headers, the genuine one first',
    authorizations: (c) => [...bearer(signed(c, claims(c))), 'Bearer not-a-jwt'],
    id: 'AUTHF-AUTH-006',
    http1Only: true,
  },
  {
    name: 'two Authorization headers, the genuine one last',
    authorizations: (c) => ['Bearer not-a-jwt', ...bearer(signed(c, claims(c)))],
    id: 'AUTHF-AUTH-006',
    http1Only: true,
  },
  {
    name: 'the same genuine Authorization header twice',
    authorizations: (c) => [...bearer(signed(c, claims(c))), ...bearer(signed(c, claims(c)))],
    id: 'AUTHF-AUTH-006',
    http1Only: true,
  },
  { name: 'a garbage token', authorizations: () => ['Bearer not-a-jwt'], id: 'AUTHF-AUTH-003' },
  { name: 'a garbage token of three parts', authorizations: () => ['Bearer aaa.bbb.ccc'], id: 'AUTHF-AUTH-003' },
  { name: 'a genuine token with bytes appended to its signature', authorizations: (c) => bearer(`${signed(c, claims(c))}AAAA`), id: 'AUTHF-AUTH-003' },
  { name: 'a genuine token with a fourth segment', authorizations: (c) => bearer(`${signed(c, claims(c))}.e30`), id: 'AUTHF-AUTH-003' },
  {
    name: 'an expired token',
    authorizations: (c) => bearer(signed(c, claims(c, { iat: nowSeconds() - 7200, exp: nowSeconds() - 120 }))),
    id: 'AUTHF-AUTH-002',
  },
  {
    name: 'a token not valid yet (nbf in the future)',
    authorizations: (c) => bearer(signed(c, claims(c, { nbf: nowSeconds() + 3600 }))),
    id: 'AUTHF-AUTH-005',
  },
  { name: 'a token without exp (it would never expire)', authorizations: (c) => bearer(signed(c, withoutExp(claims(c)))), id: 'AUTHF-AUTH-007' },
  { name: 'a token of a wrong issuer', authorizations: (c) => bearer(signed(c, claims(c, { iss: 'https://evil.example.com' }))), id: 'AUTHF-AUTH-003' },
  { name: 'a token for a wrong audience', authorizations: (c) => bearer(signed(c, claims(c, { aud: 'another-service' }))), id: 'AUTHF-AUTH-003' },
  { name: 'a token without a subject', authorizations: (c) => bearer(signed(c, claims(c, { sub: undefined }))), id: 'AUTHF-AUTH-003' },
  { name: 'a token with a 201-character subject', authorizations: (c) => bearer(signed(c, claims(c, { sub: 'x'.repeat(201) }))), id: 'AUTHF-AUTH-003' },
  { name: 'a token whose subject does not exist', authorizations: (c) => bearer(signed(c, claims(c, { sub: '999999999999999999' }))), id: 'AUTHF-AUTH-004' },
  {
    name: 'an unsigned token (alg: none)',
    authorizations: (c) => bearer(`${base64url({ alg: 'none', typ: 'JWT', kid: c.key.kid })}.${base64url(claims(c))}.`),
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'an HS256 token keyed with the public key PEM (algorithm confusion)',
    authorizations: (c) => {
      const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: c.key.kid })}.${base64url(claims(c))}`;
      return bearer(`${signingInput}.${createHmac('sha256', c.key.publicKeyPem).update(signingInput).digest('base64url')}`);
    },
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a token signed with the right key but another algorithm than the pinned RS256 (RS512)',
    authorizations: (c) => bearer(jwt.sign(claims(c), c.key.privateKeyPem, { algorithm: 'RS512', keyid: c.key.kid })),
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a genuine token whose payload was changed to another subject, keeping the original signature',
    authorizations: (c) => {
      const [header, payload, signature] = c.other.token.split('.');
      const tampered = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>), sub: c.victim.userId };
      return bearer(`${header}.${base64url(tampered)}.${signature}`);
    },
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a token signed by an unknown RSA key under the genuine kid',
    authorizations: (c) => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return bearer(jwt.sign(claims(c), privateKey, { algorithm: 'RS256', keyid: c.key.kid }));
    },
    id: 'AUTHF-AUTH-003',
  },
  { name: 'an 8 KB token', authorizations: () => bearer(`${'a'.repeat(4 * 1024)}.${'b'.repeat(4 * 1024)}.c`), id: 'AUTHF-AUTH-003' },
  // kid: the local key is the only key and does not look at it; a JWKS issuer's token must name a published key.
  {
    name: 'a genuine signature under a made-up kid',
    authorizations: (c) => bearer(signed(c, claims(c), randomUUID())),
    id: { 'local key': ACCEPTED, JWKS: 'AUTHF-AUTH-003' },
  },
  {
    name: 'a genuine signature without a kid',
    authorizations: (c) => bearer(signed(c, claims(c), null)),
    // The JWKS publishes two keys: without a kid no key is chosen.
    id: { 'local key': ACCEPTED, JWKS: 'AUTHF-AUTH-003' },
  },
  {
    name: 'the second key signing under the first key’s kid',
    authorizations: (c) => bearer(jwt.sign(claims(c), c.otherKey.privateKeyPem, { algorithm: 'RS256', keyid: c.key.kid })),
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'the second key under its own kid',
    authorizations: (c) => bearer(jwt.sign(claims(c), c.otherKey.privateKeyPem, { algorithm: 'RS256', keyid: c.otherKey.kid })),
    id: { 'local key': 'AUTHF-AUTH-003', JWKS: ACCEPTED },
  },
];

const ISSUER = 'https://idp.test';

describe.each<Mode>(['local key', 'JWKS'])('hostile tokens, every transport alike (%s)', (mode) => {
  let c: Context;
  let app: TestApp | undefined;
  let jwks: JwksServer | undefined;

  beforeAll(async () => {
    // The instance's key exists before the start, so that the JWKS can publish it and the fixtures' tokens serve there too.
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-tokens-'));
    const key = loadOrCreateSigningKey(dataDir);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = { kid: randomUUID(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const env: Record<string, string> = { DATA_DIR: dataDir, FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: '5m' };
    if (mode === 'JWKS') {
      jwks = await new JwksServer().start();
      jwks.keys = [
        { kid: key.kid, publicKey: key.publicKeyPem },
        { kid: otherKey.kid, publicKey },
      ];
      Object.assign(env, { JWKS_URI: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: 'auth-factors' });
    }
    app = await startTestApp(env);
    const org = await createOrganization(app);
    c = { t: app, mode, key, otherKey, victim: await createUser(app, org), other: await createUser(app, org) };
  });
  afterAll(async () => {
    await app?.close();
    await jwks?.stop();
  });

  /** What a successful forgery would change: the victim's events. */
  const victimEvents = () => eventsOf(c.t, c.victim.userId);

  it.each(CASES)('$name', async (testCase) => {
    const before = await victimEvents();
    const authorizations = testCase.authorizations(c); // one value for every transport
    const transports = testCase.http1Only ? TRANSPORTS.filter((transport) => transport !== 'grpc') : TRANSPORTS;
    const outcomes: Partial<Record<Transport, Outcome>> = {};
    for (const transport of transports) outcomes[transport] = await send(c.t, transport, authorizations);
    const expected = expectedOutcome(typeof testCase.id === 'string' ? testCase.id : testCase.id[mode]);
    expect(outcomes).toEqual(Object.fromEntries(transports.map((transport) => [transport, expected])));
    expect(await victimEvents()).toEqual(before);
  });
});
