import fc from 'fast-check';
import { EventEntity } from '@app/eventstore';
import { E164 } from '../../src/users/dto/add-human-user.dto';
import { createOrganization, createUser, TestUser } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
}

/** What every refusal must look like: a 4xx with the one error body, `{code, message, details[{@type, id, message}]}`. */
function errorBodyProblem(answer: Answer): string | undefined {
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}`;
  if (!answer.contentType?.startsWith('application/json')) return `content type ${answer.contentType}`;
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `not JSON: ${answer.text.slice(0, 200)}`;
  }
  const detail = body?.details?.[0];
  const wellFormed =
    Object.keys(body).sort().join() === 'code,details,message' &&
    Number.isInteger(body.code) &&
    body.details.length === 1 &&
    Object.keys(detail).sort().join() === '@type,id,message' &&
    detail['@type'] === ERROR_DETAIL_TYPE &&
    /^AUTHF-[A-Z0-9-]+$/.test(detail.id) &&
    body.message === `${detail.message} (${detail.id})`;
  return wellFormed ? undefined : `malformed error body ${answer.text.slice(0, 200)}`;
}

const V2_USER_ROUTES: readonly { method: string; suffix: string; body?: string }[] = [
  { method: 'GET', suffix: '' },
  { method: 'POST', suffix: '/otp_sms', body: '{}' },
  { method: 'DELETE', suffix: '/otp_sms' },
  { method: 'POST', suffix: '/otp_email', body: '{}' },
  { method: 'DELETE', suffix: '/otp_email' },
  { method: 'POST', suffix: '/phone', body: '{"phone":"+41791234567","isVerified":true}' },
  { method: 'DELETE', suffix: '/phone' },
  { method: 'POST', suffix: '/email', body: '{"email":"a@example.com","isVerified":true}' },
  { method: 'GET', suffix: '/authentication_methods' },
  { method: 'POST', suffix: '/authentication_factors/_search', body: '{}' },
  { method: 'DELETE', suffix: '' },
  { method: 'POST', suffix: '/deactivate' },
  { method: 'POST', suffix: '/reactivate' },
  { method: 'POST', suffix: '/lock' },
  { method: 'POST', suffix: '/unlock' },
];

/** User ids no user has, from the hostile end: empty, too long, unicode, control characters, traversal, SQL, encoded slashes. */
const hostileUserId = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 201, maxLength: 400 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    '..',
    '../..',
    '%2e%2e%2f',
    '%2e%2e%2f%2e%2e%2fadmin',
    '..%2f..%2fetc%2fpasswd',
    "' OR '1'='1",
    "1'; DROP TABLE users; --",
    '1 UNION SELECT * FROM memberships',
    '$1',
    '\\x00',
    '\u0000',
    'a\u0000b',
    '%00',
    '%C0%AF',
    '%FF',
    '%E2%82',
    'me',
    '*',
    '🙂'.repeat(101),
    '%',
    '100%',
    '%zz',
    '🙂'.repeat(200),
    'x'.repeat(200),
  ),
);

/** How the id lands in the path: percent-encoded as a client library would, or raw as an attacker would send it. */
const pathEncoding = fc.constantFrom<'encoded' | 'raw'>('encoded', 'raw');

/**
 * Per property: how many inputs it sends, and every answer (status and error id) an input may get. The tallies of
 * the answers are asserted at the end: every input reached the service and got one of these, so a new 5xx, a
 * foreign body, a changed id or an input dropped on the way fails the suite even where a property's own check
 * is lenient.
 */
const EXPECTED: Record<string, { readonly runs: number; readonly answers: readonly string[] }> = {
  'hostile userId': {
    runs: 200,
    answers: ['400 AUTHF-REQ-URL', '400 AUTHF-USER-400', '404 AUTHF-USER-404', '404 AUTHF-ROUTE-404', '405 AUTHF-ROUTE-405'],
  },
  'factor command body': {
    runs: 150,
    answers: ['400 AUTHF-REQ-TYPE', '400 AUTHF-REQ-JSON', '400 AUTHF-SMS-PRECONDITION', '400 AUTHF-EMAIL-PRECONDITION'],
  },
  'phone body': { runs: 150, answers: ['200 ok', '400 AUTHF-REQ-400'] },
  'NUL characters': { runs: 80, answers: ['400 AUTHF-REQ-TEXT', '400 AUTHF-REQ-CHARS', '400 AUTHF-USER-400'] },
  'body over 1 MB': { runs: 15, answers: ['400 AUTHF-REQ-TYPE', '400 AUTHF-REQ-SIZE'] },
  'duplicate query parameters': { runs: 100, answers: ['200 ok', '404 AUTHF-SMS-404'] },
};

describe('hostile input (property-based)', () => {
  let t: TestApp;
  let user: TestUser;
  /** A user with neither a phone nor a verified e-mail address: adding a factor can only fail its precondition. */
  let bare: TestUser;
  const figures: Record<string, Record<string, number>> = {};
  const tally = (scenario: string, answer: Answer) => {
    const key = `${answer.status} ${errorBodyProblem(answer) === undefined ? JSON.parse(answer.text).details[0].id : answer.status < 400 ? 'ok' : 'not our error body'}`;
    figures[scenario] = { ...figures[scenario], [key]: (figures[scenario]?.[key] ?? 0) + 1 };
  };

  const eventCount = (): Promise<number> => t.dataSource.getRepository(EventEntity).count();

  async function send(method: string, path: string, options: { token?: string; body?: string; contentType?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    const response = await fetch(`${t.url}${path}`, { method, headers, body: options.body });
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
  }

  beforeAll(async () => {
    t = await startTestApp();
    const org = await createOrganization(t);
    user = await createUser(t, org);
    bare = await createUser(t, org, { phone: null, emailVerified: false });
  });
  afterAll(async () => {
    console.log(`hostile input, answers by status and error id per property: ${JSON.stringify(figures)}`);
    await t.close();
  });

  it('answers any hostile userId on every v2 user route with a 4xx and the error body, changing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileUserId, fc.constantFrom(...V2_USER_ROUTES), pathEncoding, async (userId, route, encoding) => {
        fc.pre(userId !== user.userId && userId !== bare.userId && userId !== t.bootstrapped.adminId);
        let segment: string;
        try {
          segment = encoding === 'encoded' ? encodeURIComponent(userId) : userId;
        } catch {
          segment = userId; // a lone surrogate: sent as it is
        }
        const before = await eventCount();
        const answer = await send(route.method, `/v2/users/${segment}${route.suffix}`, {
          token: t.adminToken, // IAM_OWNER: any refusal is about the input, not the caller
          body: route.body,
          contentType: route.body ? 'application/json' : undefined,
        });
        tally('hostile userId', answer);
        expect(errorBodyProblem(answer)).toBeUndefined();
        expect(await eventCount()).toBe(before);
      }),
      {
        numRuns: EXPECTED['hostile userId'].runs,
        // The defects this property found, always tried: Fastify's own body for a bad URL or an over-long
        // parameter (now ours, 400 code 3), and a NUL character reaching PostgreSQL (was 500).
        examples: [
          ['100%', V2_USER_ROUTES[0], 'raw'],
          ['🙂'.repeat(200), V2_USER_ROUTES[1], 'encoded'],
          ['a\u0000b', V2_USER_ROUTES[0], 'encoded'],
          ['a\u0000b', V2_USER_ROUTES[2], 'encoded'],
        ],
      },
    );
  });

  it('answers a factor command with any JSON body and content type: code 9 (precondition) for JSON, code 3 for anything else, never a change', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/vnd.api+json',
        '',
      ),
      fc.string({ unit: fc.constantFrom(...'abcjson/;=+-. *'.split('')), maxLength: 30 }),
    );
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 100 }),
      fc.constantFrom('{', '{"a":', '[1,2', 'null', 'NaN', '\u0000', '{"__proto__":{"admin":true}}'),
    );
    const route = fc.constantFrom(
      () => '/auth/v1/users/me/auth_factors/otp_sms',
      () => '/auth/v1/users/me/auth_factors/otp_email',
      () => `/v2/users/${bare.userId}/otp_sms`,
      () => `/v2/users/${bare.userId}/otp_email`,
    );
    await fc.assert(
      fc.asyncProperty(route, body, contentType, async (path, text, type) => {
        const before = await eventCount();
        const answer = await send('POST', path(), { token: bare.token, body: text, contentType: type });
        tally('factor command body', answer);
        expect(errorBodyProblem(answer)).toBeUndefined();
        // Valid JSON, less what the parser refuses on purpose: prototype poisoning (`__proto__`, `constructor.prototype`).
        let isJson = true;
        try {
          JSON.parse(text, (key, value: unknown) => {
            if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) isJson = false;
            return value;
          });
        } catch {
          isJson = false;
        }
        const declaredJson = /^application\/json\s*(;|$)/i.test(type.trim());
        const code = JSON.parse(answer.text).code;
        if (declaredJson && (isJson || text === '')) expect(code).toBe(9);
        else expect(code).toBe(3);
        expect(await eventCount()).toBe(before);
      }),
      { numRuns: EXPECTED['factor command body'].runs },
    );
  });

  it('answers a phone change with any JSON body: 200 exactly when the body is a valid one, else 400 code 3 and no change', async () => {
    const phone = fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.integer(), fc.constant(null));
    const body = fc.oneof(
      fc.json({ maxDepth: 2 }).map((text) => JSON.parse(text) as unknown),
      fc.record({ phone, isVerified: fc.oneof(fc.boolean(), fc.constant('true'), fc.integer()) }, { requiredKeys: [] }),
      fc.record({ phone, isVerified: fc.boolean(), extra: fc.anything() }),
    );
    const valid = (value: any): boolean =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).every((key) => key === 'phone' || key === 'isVerified') &&
      typeof value.phone === 'string' &&
      E164.test(value.phone) &&
      (value.isVerified === undefined || typeof value.isVerified === 'boolean');
    await fc.assert(
      fc.asyncProperty(body, async (generated) => {
        // Judged as sent: JSON drops undefined fields.
        const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        const before = await eventCount();
        const current = (await t.request('GET', `/v2/users/${user.userId}`, { token: t.adminToken })).body.user.human.phone?.phone;
        const answer = await send('POST', `/v2/users/${user.userId}/phone`, {
          token: t.adminToken,
          body: JSON.stringify(value),
          contentType: 'application/json',
        });
        tally('phone body', answer);
        if (valid(value) && (value as { phone: string }).phone !== current) {
          expect(answer.status).toBe(200);
        } else if (valid(value)) {
          expect([200, 400]).toContain(answer.status); // the same number again: only a verification changes anything
        } else {
          expect(errorBodyProblem(answer)).toBeUndefined();
          expect(await eventCount()).toBe(before);
        }
      }),
      { numRuns: EXPECTED['phone body'].runs },
    );
  });

  it('refuses a NUL character anywhere (path, body strings of every writing route) with 400 code 3, never 500', async () => {
    const org = user.organizationId;
    const nul = fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`);
    const requests = (text: string): { method: string; path: string; body?: unknown }[] => [
      { method: 'POST', path: '/v2/organizations', body: { name: text } },
      { method: 'POST', path: `/v2/organizations/${encodeURIComponent(text)}/members`, body: { userId: user.userId, roles: ['ORG_OWNER'] } },
      { method: 'POST', path: `/v2/organizations/${org}/members`, body: { userId: text, roles: ['ORG_OWNER'] } },
      { method: 'POST', path: `/v2/organizations/${org}/members`, body: { userId: user.userId, roles: [text] } },
      { method: 'POST', path: '/v2/users/human', body: { username: text, organization: { orgId: org }, profile: { givenName: 'a', familyName: 'b' } } },
      {
        method: 'POST',
        path: '/v2/users/human',
        body: { username: `nul-${Date.now()}`, organization: { orgId: org }, profile: { givenName: text, familyName: 'b' } },
      },
      {
        method: 'POST',
        path: '/v2/users/human',
        body: { userId: text, username: `nul-${Date.now()}`, organization: { orgId: text }, profile: { givenName: 'a', familyName: 'b' } },
      },
      { method: 'DELETE', path: `/v2/users/${encodeURIComponent(text)}/otp_email` },
      { method: 'DELETE', path: `/v2/users/${encodeURIComponent(text)}` },
      { method: 'POST', path: `/authf/v1/users/${encodeURIComponent(text)}/mfa/_reset` },
      { method: 'POST', path: '/authf/v1/events/_search', body: { organizationId: org, eventTypes: [text] } },
      { method: 'POST', path: '/authf/v1/events/_search', body: { organizationId: text } },
    ];
    await fc.assert(
      fc.asyncProperty(nul, fc.nat(requests('').length - 1), async (text, index) => {
        const before = await eventCount();
        const request = requests(text)[index];
        const answer = await send(request.method, request.path, {
          token: t.adminToken,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          contentType: request.body === undefined ? undefined : 'application/json',
        });
        tally('NUL characters', answer);
        expect(errorBodyProblem(answer)).toBeUndefined();
        expect(JSON.parse(answer.text).code).toBe(3);
        expect(await eventCount()).toBe(before);
      }),
      { numRuns: EXPECTED['NUL characters'].runs },
    );
  });

  it('refuses any body over 1 MB, whatever its type, with a 4xx error body and no change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1024 * 1024 + 1, max: 1536 * 1024 }),
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        fc.constantFrom('/auth/v1/users/me/auth_factors/otp_sms', `/v2/users/${user.userId}/phone`, '/v2/users/human', '/v2/organizations'),
        async (size, type, path) => {
          const before = await eventCount();
          const body = `{"phone":"${'a'.repeat(size)}"}`;
          const answer = await send('POST', path, { token: t.adminToken, body, contentType: type });
          tally('body over 1 MB', answer);
          expect(errorBodyProblem(answer)).toBeUndefined();
          expect(JSON.parse(answer.text).code).toBe(3);
          expect(await eventCount()).toBe(before);
        },
      ),
      { numRuns: EXPECTED['body over 1 MB'].runs },
    );
  });

  it('ignores duplicate (and hostile) query parameters: the path decides, as without them', async () => {
    const name = fc.constantFrom('userId', 'user_id', 'id', 'orgId', 'sequence', '__proto__', 'constructor', 'a[]', 'a[b]');
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constant(t?.bootstrapped?.adminId ?? 'admin'), fc.constant("' OR 1=1 --"));
    const query = fc.array(fc.tuple(name, value), { minLength: 2, maxLength: 6 }).map((pairs) => {
      const doubled = [...pairs, pairs[0]]; // at least one name twice
      return doubled.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    });
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('get', 'search', 'remove-missing'), async (qs, kind) => {
        const before = await eventCount();
        if (kind === 'get') {
          const answer = await send('GET', `/v2/users/${user.userId}?${qs}`, { token: t.adminToken });
          tally('duplicate query parameters', answer);
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.text).user.userId).toBe(user.userId);
        } else if (kind === 'search') {
          const answer = await send('POST', `/auth/v1/users/me/auth_factors/_search?${qs}`, { token: bare.token, body: '{}', contentType: 'application/json' });
          tally('duplicate query parameters', answer);
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.text)).toEqual({ result: [] });
        } else {
          const answer = await send('DELETE', `/v2/users/${bare.userId}/otp_sms?${qs}`, { token: t.adminToken });
          tally('duplicate query parameters', answer);
          expect(errorBodyProblem(answer)).toBeUndefined();
          expect(JSON.parse(answer.text).details[0].id).toBe('AUTHF-SMS-404');
        }
        expect(await eventCount()).toBe(before);
      }),
      { numRuns: EXPECTED['duplicate query parameters'].runs },
    );
  });

  it('tallies: every input of every property reached the service and got one of its expected answers', () => {
    for (const [scenario, { runs, answers }] of Object.entries(EXPECTED)) {
      const answered = figures[scenario] ?? {};
      expect({ scenario, inputs: Object.values(answered).reduce((sum, n) => sum + n, 0) }).toEqual({ scenario, inputs: runs });
      expect({ scenario, unexpected: Object.keys(answered).filter((answer) => !answers.includes(answer)) }).toEqual({ scenario, unexpected: [] });
    }
  });
});
