import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksServer } from './support/jwks-server';
import { startTestApp, TestApp } from './support/test-app';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'auth-factors';
const INTERVAL_SECONDS = 1;
const LIST_MINE = '/auth/v1/users/me/auth_factors/_search';

interface IssuerKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

function newKey(): IssuerKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

/** Signs every forged token: generating an RSA key per token would measure key generation, not the service. */
const FORGER = newKey();

describe('JWKS key handling (JWKS_URI)', () => {
  let jwks: JwksServer;
  let t: TestApp;
  const original = newKey();

  const sign = (key: { kid: string; privateKey: KeyObject }, subject: string) =>
    jwt.sign({}, key.privateKey, { algorithm: 'RS256', keyid: key.kid, subject, issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
  const list = (token: string) => t.request('POST', LIST_MINE, { token, body: {} });

  beforeAll(async () => {
    jwks = await new JwksServer().start();
    jwks.keys = [original];
    t = await startTestApp({ JWKS_URI: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWKS_MIN_REFRESH_INTERVAL_SECONDS: String(INTERVAL_SECONDS) });
  });
  afterAll(async () => {
    await t.close();
    await jwks.stop();
  });

  it('fetches the keys at start: the first token is answered without a fetch of its own', async () => {
    expect(jwks.fetches).toHaveLength(1);
    expect((await list(sign(original, t.bootstrapped.adminId))).status).toBe(200);
    expect(jwks.fetches).toHaveLength(1);
  });

  it('refuses a kid that is not a string (401), though the issuer publishes a single key that would verify it', async () => {
    const admin = t.bootstrapped.adminId;
    expect(jwks.keys).toHaveLength(1);
    for (const kid of [42, null, [original.kid], { kid: original.kid }]) {
      const token = jwt.sign({}, original.privateKey, {
        algorithm: 'RS256',
        header: { alg: 'RS256', kid } as never,
        subject: admin,
        issuer: ISSUER,
        audience: AUDIENCE,
        expiresIn: 600,
      });
      const response = await list(token);
      expect({ kid, status: response.status }).toEqual({ kid, status: 401 });
    }
    // The same key and claims without a kid at all: the one published key serves.
    const withoutKid = jwt.sign({}, original.privateKey, { algorithm: 'RS256', subject: admin, issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect((await list(withoutKid)).status).toBe(200);
  });

  it('survives 1,000 tokens with random kids: cached-key tokens never fail, at most one fetch per interval, and a rotated key is accepted within the interval', async () => {
    const admin = t.bootstrapped.adminId;
    const startedAt = Date.now();
    const fetchesBefore = jwks.fetches.length;
    const statuses = { forged: new Map<number, number>(), genuine: new Map<number, number>() };
    const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
    // 1,000 tokens of made-up kids, 50 at a time, each wave with a genuine token of the cached key.
    for (let wave = 0; wave < 20; wave++) {
      const forged = Array.from({ length: 50 }, () => list(sign({ kid: randomUUID(), privateKey: FORGER.privateKey }, admin)));
      const genuine = list(sign(original, admin));
      for (const response of await Promise.all(forged)) count(statuses.forged, response.status);
      count(statuses.genuine, (await genuine).status);
    }
    const burstSeconds = (Date.now() - startedAt) / 1000;
    expect(Object.fromEntries(statuses.forged)).toEqual({ 401: 1000 });
    expect(Object.fromEntries(statuses.genuine)).toEqual({ 200: 20 });
    const burstFetches = jwks.fetches.length - fetchesBefore;
    expect(burstFetches).toBeLessThanOrEqual(Math.ceil(burstSeconds / INTERVAL_SECONDS) + 1);

    // The issuer rotates: a token of the new key is accepted within the interval, right after the burst.
    const rotated = newKey();
    jwks.keys = [original, rotated];
    const rotatedAt = Date.now();
    let status = 0;
    while (Date.now() - rotatedAt < (INTERVAL_SECONDS + 1) * 1000) {
      status = (await list(sign(rotated, admin))).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(Date.now() - rotatedAt).toBeLessThanOrEqual((INTERVAL_SECONDS + 1) * 1000);
    expect((await list(sign(original, admin))).status).toBe(200);
  });

  it('stops accepting a key the issuer removed once the key set is fetched again', async () => {
    const admin = t.bootstrapped.adminId;
    const replacement = newKey();
    jwks.keys = [replacement];
    // An unknown kid makes the store fetch again (within the interval); the removed key then no longer verifies.
    const deadline = Date.now() + (INTERVAL_SECONDS + 2) * 1000;
    while ((await list(sign(replacement, admin))).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await list(sign(replacement, admin))).status).toBe(200);
    expect((await list(sign(original, admin))).status).toBe(401);
  });
});
