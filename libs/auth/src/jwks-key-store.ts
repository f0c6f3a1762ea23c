import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { JWT_ALGORITHM } from './token-issuer';

export interface JwksKeyStoreOptions {
  /**
   * The shortest time between two fetches: a token whose `kid` is not cached triggers a fetch only when the last
   * one started longer ago, so a flood of made-up `kid`s costs the issuer one request per interval, not one each.
   */
  readonly minRefreshIntervalMs: number;
  /** Keys are fetched again on this schedule even when every token's key is cached, so a removed key stops serving. */
  readonly maxKeyAgeMs: number;
  readonly fetchTimeoutMs: number;
}

/** A JWKS larger than this is not a key set: refused before it is parsed. */
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * The issuer's signing keys, fetched at start, kept in memory and refreshed in the background.
 *
 * Cached keys always answer at once: no request waits on the issuer unless its token names a `kid` not cached.
 * Such a token waits for the one fetch all of them share, and at most one fetch starts per `minRefreshIntervalMs`.
 * A failed fetch keeps the keys it had.
 *
 * Why not jwks-rsa's JwksClient (4.1.0), measured against a local JWKS as in test/jwks.e2e-spec.ts: its cache is
 * one memoized lookup per `kid`, so unknown kids share no fetch (1,000 random kids: 1,001 fetches without
 * `rateLimit`); with `rateLimit` (2 a minute, one per 30 s) they queue on its token bucket, and a freshly rotated key
 * waits behind them (9 of 10 still queued after 3 s, the rotated key not served within 3 s); it neither fetches at
 * start nor refreshes on a schedule, and a key the issuer removed keeps serving from the cache after a new fetch
 * (until `cacheMaxAge`). Its keys are PEM strings, which jsonwebtoken parses per token (101–151 µs per verification
 * against 46–65 µs with a parsed key).
 */
export class JwksKeyStore {
  private readonly logger = new Logger('Jwks');
  private keys = new Map<string, KeyObject>();
  private lastFetchStartedAt = Number.NEGATIVE_INFINITY;
  private inFlight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private trailing?: NodeJS.Timeout;

  constructor(
    private readonly jwksUri: string,
    private readonly options: JwksKeyStoreOptions,
  ) {}

  /** Fetches the keys once and schedules the refreshes; a failure is logged, not thrown (the next token retries). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.maxKeyAgeMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.trailing);
  }

  /** The key of `kid` (a token without `kid`: the set's only key), or undefined when the issuer does not have it. */
  async key(kid: string | undefined): Promise<KeyObject | undefined> {
    const cached = this.lookup(kid);
    if (cached) return cached;
    const sinceLastFetch = Date.now() - this.lastFetchStartedAt;
    if (sinceLastFetch >= this.options.minRefreshIntervalMs) void this.refresh();
    else this.refreshAfter(this.options.minRefreshIntervalMs - sinceLastFetch);
    await this.inFlight;
    return this.lookup(kid);
  }

  private lookup(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  /** A key asked for too soon after a fetch may be a freshly rotated one: one fetch follows as soon as the interval allows. */
  private refreshAfter(delayMs: number): void {
    if (this.trailing) return;
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      void this.refresh();
    }, delayMs);
    this.trailing.unref();
  }

  /** One fetch at a time: a refresh asked for while one runs joins it. */
  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastFetchStartedAt = Date.now();
    try {
      const response = await fetch(this.jwksUri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.options.fetchTimeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error(`the key set is larger than ${MAX_JWKS_BYTES} bytes`);
      const keys = parseKeySet(JSON.parse(text));
      if (keys.size === 0) throw new Error(`no ${JWT_ALGORITHM} signing key in the set`);
      this.keys = keys;
    } catch (error) {
      this.logger.warn(`Fetching the JWKS ${this.jwksUri} failed (${(error as Error).message}); the ${this.keys.size} cached key(s) keep serving`);
    }
  }
}

/** The RSA signing keys of a JWKS document by `kid`; keys of other types, uses or algorithms are left out. */
function parseKeySet(document: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('the document has no "keys" array');
  for (const jwk of list as (JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown })[]) {
    if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== JWT_ALGORITHM)) continue;
    try {
      keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    } catch {
      // a malformed key is not one we can verify with: left out
    }
  }
  return keys;
}
