import { createHmac, generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import jwt from 'jsonwebtoken';
import { loadOrCreateSigningKey, SigningKey } from '@app/auth';
import { createOrganization, createUser, eventsOf, storedFactorTypes, TestUser } from './support/fixtures';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';
const ADD_OTP_SMS = '/auth/v1/users/me/auth_factors/otp_sms';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Asserts a 401 with code 16 in the contract's error body. */
function expectUnauthenticated(response: ApiResponse, id: string): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 401,
    body: {
      code: 16,
      message: `${response.body?.details?.[0]?.message} (${id})`,
      details: [{ '@type': ERROR_DETAIL_TYPE, id, message: expect.any(String) }],
    },
  });
}

/** POSTs `{}` with one `Authorization` header line per value (fetch would join them into one line). */
function postWithAuthorizations(t: TestApp, path: string, authorizations: string[]): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${t.url}${path}`,
      {
        method: 'POST',
        headers: [
          'host',
          new URL(t.url).host,
          ...authorizations.flatMap((value) => ['authorization', value]),
          'content-type',
          'application/json',
          'content-length',
          '2',
        ],
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()),
            headers: new Headers(response.headers as Record<string, string>),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end('{}');
  });
}

interface Context {
  readonly t: TestApp;
  readonly key: SigningKey;
  /** The user every forged token claims to be. */
  readonly victim: TestUser;
  /** Someone else, holding a genuine token. */
  readonly other: TestUser;
}

/** The claims a genuine token for the victim carries; cases override some of them. */
function claims(c: Context, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { sub: c.victim.userId, iss: c.t.config.jwt.issuer, aud: c.t.config.jwt.audience, iat: now, exp: now + 3600, ...overrides };
}

function withoutExp({ exp: _exp, ...rest }: Record<string, unknown>): Record<string, unknown> {
  return rest;
}

/** Signs with the instance's own key (RS256), so only the claims can be at fault. */
function signWithInstanceKey(c: Context, payload: Record<string, unknown>): string {
  return jwt.sign(payload, c.key.privateKeyPem, { algorithm: 'RS256', keyid: c.key.kid });
}

interface Case {
  readonly name: string;
  /** The Authorization header to send, or none. */
  readonly authorization: (c: Context) => string | undefined;
  readonly id: string;
}

const CASES: Case[] = [
  { name: 'no Authorization header', authorization: () => undefined, id: 'AUTHF-AUTH-001' },
  {
    name: 'a Basic instead of a Bearer scheme',
    authorization: (c) => `Basic ${Buffer.from(`${c.victim.userId}:secret`).toString('base64')}`,
    id: 'AUTHF-AUTH-001',
  },
  { name: 'a valid token sent without the Bearer scheme', authorization: (c) => c.victim.token, id: 'AUTHF-AUTH-001' },
  { name: 'a garbage token', authorization: () => 'Bearer not-a-jwt', id: 'AUTHF-AUTH-003' },
  { name: 'a garbage token of three parts', authorization: () => 'Bearer aaa.bbb.ccc', id: 'AUTHF-AUTH-003' },
  {
    name: 'an expired token',
    authorization: (c) => `Bearer ${signWithInstanceKey(c, claims(c, { iat: nowSeconds() - 7200, exp: nowSeconds() - 120 }))}`,
    id: 'AUTHF-AUTH-002',
  },
  {
    name: 'a token not valid yet (nbf in the future)',
    authorization: (c) => `Bearer ${signWithInstanceKey(c, claims(c, { nbf: nowSeconds() + 3600 }))}`,
    id: 'AUTHF-AUTH-005',
  },
  {
    name: 'a token of a wrong issuer',
    authorization: (c) => `Bearer ${c.t.token(c.victim.userId, { issuer: 'https://evil.example.com' })}`,
    id: 'AUTHF-AUTH-003',
  },
  { name: 'a token for a wrong audience', authorization: (c) => `Bearer ${c.t.token(c.victim.userId, { audience: 'another-service' })}`, id: 'AUTHF-AUTH-003' },
  {
    name: 'an unsigned token (alg: none)',
    authorization: (c) => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims(c))}.`,
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'an HS256 token keyed with the public key PEM (algorithm confusion)',
    authorization: (c) => {
      const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: c.key.kid })}.${base64url(claims(c))}`;
      return `Bearer ${signingInput}.${createHmac('sha256', c.key.publicKeyPem).update(signingInput).digest('base64url')}`;
    },
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a token signed with the right key but another algorithm than the pinned RS256 (RS512)',
    authorization: (c) => `Bearer ${jwt.sign(claims(c), c.key.privateKeyPem, { algorithm: 'RS512', keyid: c.key.kid })}`,
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a genuine token whose payload was changed to another subject, keeping the original signature',
    authorization: (c) => {
      const [header, payload, signature] = c.other.token.split('.');
      const tampered = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>), sub: c.victim.userId };
      return `Bearer ${header}.${base64url(tampered)}.${signature}`;
    },
    id: 'AUTHF-AUTH-003',
  },
  {
    name: 'a token signed by a different RSA key (same kid)',
    authorization: (c) => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return `Bearer ${jwt.sign(claims(c), privateKey, { algorithm: 'RS256', keyid: c.key.kid })}`;
    },
    id: 'AUTHF-AUTH-003',
  },
  { name: 'a token without a subject', authorization: (c) => `Bearer ${signWithInstanceKey(c, claims(c, { sub: undefined }))}`, id: 'AUTHF-AUTH-003' },
  {
    name: 'a token without exp (it would never expire)',
    authorization: (c) => `Bearer ${signWithInstanceKey(c, withoutExp(claims(c)))}`,
    id: 'AUTHF-AUTH-007',
  },
  { name: 'a valid token followed by more text', authorization: (c) => `Bearer ${c.victim.token} junk`, id: 'AUTHF-AUTH-001' },
  { name: 'two Bearer tokens in one header', authorization: (c) => `Bearer ${c.victim.token}, Bearer ${c.other.token}`, id: 'AUTHF-AUTH-001' },
  { name: 'a token whose subject does not exist', authorization: (c) => `Bearer ${c.t.token('999999999999999999')}`, id: 'AUTHF-AUTH-004' },
];

describe('authentication', () => {
  let c: Context;

  beforeAll(async () => {
    const t = await startTestApp();
    const org = await createOrganization(t);
    c = { t, key: loadOrCreateSigningKey(t.config.dataDir), victim: await createUser(t, org), other: await createUser(t, org) };
  });
  afterAll(() => c.t.close());

  /** What a successful forgery would change: the victim's events and factors. */
  async function victimState(): Promise<unknown> {
    return {
      events: await eventsOf(c.t, c.victim.userId),
      factors: await storedFactorTypes(c.t, c.victim.userId),
    };
  }

  it.each(CASES)('rejects $name with 401, code 16, and changes nothing', async ({ authorization, id }) => {
    const before = await victimState();
    const header = authorization(c);
    const response = await c.t.request('POST', ADD_OTP_SMS, { body: {}, headers: header === undefined ? {} : { authorization: header } });
    expectUnauthenticated(response, id);
    expect(await victimState()).toEqual(before);
  });

  it('rejects two Authorization headers with 401 (AUTHF-AUTH-006), whichever comes first, and changes nothing', async () => {
    const before = await victimState();
    for (const headers of [
      [`Bearer ${c.victim.token}`, 'Bearer not-a-jwt'],
      ['Bearer not-a-jwt', `Bearer ${c.victim.token}`],
      [`Bearer ${c.victim.token}`, `Bearer ${c.victim.token}`],
    ]) {
      expectUnauthenticated(await postWithAuthorizations(c.t, ADD_OTP_SMS, headers), 'AUTHF-AUTH-006');
    }
    expect(await victimState()).toEqual(before);
  });

  it('rejects two Authorization headers on the RPC routes too (Connect: unauthenticated, AUTHF-AUTH-006)', async () => {
    const answer = await postWithAuthorizations(c.t, '/zitadel.auth.v1.AuthService/ListMyAuthFactors', [`Bearer ${c.victim.token}`, 'Bearer not-a-jwt']);
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 401, code: 'unauthenticated' });
    expect(answer.body.message).toContain('AUTHF-AUTH-006');
  });

  it('accepts a valid token: listing the own factors answers 200', async () => {
    const response = await c.t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: c.victim.token, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.result ?? []).toEqual([]); // the victim has no factor: no forgery added one
  });

  it('accepts a valid token for a command: the same request the forgeries sent adds OTP SMS for the subject', async () => {
    const before = await eventsOf(c.t, c.other.userId);
    const response = await c.t.request('POST', ADD_OTP_SMS, { token: c.other.token, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.details.sequence).toBe(String(before.length + 1));
    const after = await eventsOf(c.t, c.other.userId);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1].creator).toBe(c.other.userId);
  });
});

describe('concurrent requests', () => {
  it('authenticates each of 24 simultaneous requests as its own caller: all answered, each event written by its own user', async () => {
    const t = await startTestApp();
    try {
      const org = await createOrganization(t);
      const users = await Promise.all(Array.from({ length: 24 }, () => createUser(t, org)));
      const responses = await Promise.all(
        users.map((u) => t.request('POST', ADD_OTP_SMS, { token: u.token, body: {} }).then((r) => ({ status: r.status, sequence: r.body?.details?.sequence }))),
      );
      expect(responses.filter((r) => r.status !== 200)).toEqual([]);
      for (const [index, user] of users.entries()) {
        const events = await eventsOf(t, user.userId);
        expect(events.at(-1)).toMatchObject({ type: 'user.human.otp.sms.added', creator: user.userId, sequence: Number(responses[index].sequence) });
      }
    } finally {
      await t.close();
    }
  });
});

describe('two applications in one process', () => {
  it('each verifies tokens with its own key: starting the second does not change what the first accepts', async () => {
    const first = await startTestApp();
    const second = await startTestApp();
    try {
      expect(first.config.dataDir).not.toBe(second.config.dataDir); // two signing keys
      const list = (t: TestApp, token: string) => t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token, body: {} });
      expect((await list(first, first.adminToken)).status).toBe(200);
      expect((await list(second, second.adminToken)).status).toBe(200);
      expectUnauthenticated(await list(first, second.adminToken), 'AUTHF-AUTH-003');
      expectUnauthenticated(await list(second, first.adminToken), 'AUTHF-AUTH-003');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
