import { createPublicKey, KeyObject } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { JwksKeyStore } from './jwks-key-store';
import { loadOrCreateSigningKey } from './signing-key';
import { JWT_ALGORITHM } from './token-issuer';

/** passport-jwt's `secretOrKeyProvider`: the key to verify a raw token with, or an error when there is none. */
export type KeyProvider = (request: unknown, rawJwtToken: string, done: (error: Error | null, key?: KeyObject) => void) => void;

/**
 * The one source of the keys tokens are verified with, for every transport: the issuer's JWKS (`JWKS_URI`) or the
 * local development key. Keys are parsed into `KeyObject`s once (at start, or per JWKS fetch): given a PEM,
 * jsonwebtoken would parse it again for every token (about 100 µs more per verification, measured).
 */
@Injectable()
export class VerificationKeys implements OnModuleInit, OnModuleDestroy {
  private readonly jwks?: JwksKeyStore;
  private readonly localKey?: KeyObject;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { jwksUri, jwksMinRefreshIntervalSeconds, jwksMaxKeyAgeSeconds } = config.jwt;
    if (jwksUri) {
      this.jwks = new JwksKeyStore(jwksUri, {
        minRefreshIntervalMs: jwksMinRefreshIntervalSeconds * 1000,
        maxKeyAgeMs: jwksMaxKeyAgeSeconds * 1000,
        fetchTimeoutMs: 5000,
      });
    } else {
      this.localKey = createPublicKey(loadOrCreateSigningKey(config.dataDir).publicKeyPem);
    }
  }

  /** The issuer's keys are fetched before the first request, not by it. */
  async onModuleInit(): Promise<void> {
    await this.jwks?.start();
  }

  onModuleDestroy(): void {
    this.jwks?.stop();
  }

  readonly provider: KeyProvider = (_request, rawJwtToken, done) => {
    if (this.localKey) return done(null, this.localKey);
    const header = tokenHeader(rawJwtToken);
    // Only the pinned algorithm may cost a key lookup (and, for an unknown kid, a share of a JWKS fetch).
    if (header?.alg !== JWT_ALGORITHM) return done(new Error(`unsupported algorithm ${String(header?.alg)}`));
    // A kid that is there must be a string: `"kid": 42` names no key, it does not mean "the only one".
    if (header.kid !== undefined && typeof header.kid !== 'string') return done(new Error('malformed kid'));
    const kid = header.kid;
    this.jwks!.key(kid).then(
      (key) => (key ? done(null, key) : done(new Error(`no signing key ${kid}`))),
      (error: Error) => done(error),
    );
  };
}

/** The decoded JOSE header of a compact JWS, or undefined when it is not one: only the header, not the payload. */
function tokenHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString());
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}
