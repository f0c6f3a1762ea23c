import { createPublicKey, KeyObject } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { UnauthenticatedError } from '@app/errors';
import jwt, { GetPublicKeyOrSecret, JwtPayload, VerifyOptions } from 'jsonwebtoken';
import { JwksKeyStore } from './jwks-key-store';
import { PRINCIPAL_VALIDATOR } from './principal';
import type { Principal, PrincipalValidator } from './principal';
import { loadOrCreateSigningKey } from './signing-key';
import { JWT_ALGORITHM } from './token-issuer';

/**
 * `Bearer <token>`, the scheme case-insensitive, the token in RFC 6750's b64token alphabet and nothing after it:
 * a header with more in it is not one we can be sure we read as its sender meant.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of an `Authorization` header value, if it is exactly one Bearer credential. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
}

/**
 * Every `Authorization` header of a request, from Node's raw header list: Node keeps only the first of
 * repeated ones in `headers`, and a proxy may have read the other one.
 */
export function authorizationHeaders(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'authorization') values.push(rawHeaders[i + 1]);
  return values;
}

/** A token's `auth_time` further ahead of our clock than this is not believed: a login in the future would stay fresh for ever. */
const AUTH_TIME_CLOCK_SKEW_SECONDS = 60;

/**
 * The one place bearer tokens are verified, whatever the transport (REST's
 * passport strategy, the Connect/gRPC interceptor): signature (JWKS in
 * production, the local key in development), the one pinned algorithm, expiry,
 * not-before, issuer and audience; then that the subject is an active user.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly key: KeyObject | GetPublicKeyOrSecret;
  private readonly options: VerifyOptions & { complete?: false };
  private readonly jwks?: JwksKeyStore;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PRINCIPAL_VALIDATOR) private readonly principals: PrincipalValidator,
  ) {
    const { jwksUri, issuer, audience, jwksMinRefreshIntervalSeconds, jwksMaxKeyAgeSeconds } = config.jwt;
    this.options = { algorithms: [JWT_ALGORITHM], issuer, audience };
    if (jwksUri) {
      this.jwks = new JwksKeyStore(jwksUri, {
        minRefreshIntervalMs: jwksMinRefreshIntervalSeconds * 1000,
        maxKeyAgeMs: jwksMaxKeyAgeSeconds * 1000,
        fetchTimeoutMs: 5000,
      });
      this.key = jwksKey(this.jwks);
    } else {
      // A parsed key object, not the PEM: jsonwebtoken would parse a PEM again for every token.
      this.key = createPublicKey(loadOrCreateSigningKey(config.dataDir).publicKeyPem);
    }
  }

  /** The issuer's keys are fetched before the first request, not by it. */
  async onModuleInit(): Promise<void> {
    await this.jwks?.start();
  }

  onModuleDestroy(): void {
    this.jwks?.stop();
  }

  /**
   * The principal the request's `Authorization` header proves (all of them, see {@link authorizationHeaders}:
   * more than one is refused). Throws an {@link UnauthenticatedError} for every flaw of the token; other
   * failures (the database being down, say) keep their own meaning.
   */
  async verify(authorization: string | readonly string[] | null | undefined): Promise<Principal> {
    const headers = typeof authorization === 'string' ? [authorization] : (authorization ?? []);
    if (headers.length > 1) throw new UnauthenticatedError('AUTHF-AUTH-006', 'Send one Authorization header, not several');
    const token = bearerToken(headers[0]);
    if (!token) throw new UnauthenticatedError('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)');
    const claims = await this.verifySignatureAndClaims(token);
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
      throw new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
    }
    // jsonwebtoken checks `exp` only when present; a token without one would never expire.
    if (typeof claims.exp !== 'number') throw new UnauthenticatedError('AUTHF-AUTH-007', 'The token has no expiry (exp)');
    if (!(await this.principals.isActive(claims.sub))) {
      throw new UnauthenticatedError('AUTHF-AUTH-004', 'The token does not belong to an active user');
    }
    return {
      userId: claims.sub,
      authTime: authTimeOf(claims),
    };
  }

  private verifySignatureAndClaims(token: string): Promise<JwtPayload> {
    return new Promise((resolve, reject) => {
      jwt.verify(token, this.key, this.options, (error, payload) => {
        if (error) return reject(rejection(error));
        if (typeof payload !== 'object' || payload === null) return reject(rejection(undefined));
        resolve(payload);
      });
    });
  }
}

/** When the user last authenticated, if the token says so believably; undefined counts as not fresh for step-up. */
function authTimeOf(claims: JwtPayload): Date | undefined {
  const authTime: unknown = claims.auth_time;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) return undefined;
  if (authTime > Date.now() / 1000 + AUTH_TIME_CLOCK_SKEW_SECONDS) return undefined;
  return new Date(authTime * 1000);
}

/** Looks the token's signing key up in the issuer's key set; only for the pinned algorithm. */
function jwksKey(keys: JwksKeyStore): GetPublicKeyOrSecret {
  return (header, callback) => {
    if (header.alg !== JWT_ALGORITHM) return callback(new Error(`unsupported algorithm ${header.alg}`));
    keys.key(header.kid).then(
      (key) => (key ? callback(null, key) : callback(new Error(`no signing key ${header.kid}`))),
      (error: Error) => callback(error),
    );
  };
}

function rejection(error: unknown): UnauthenticatedError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TokenExpiredError') return new UnauthenticatedError('AUTHF-AUTH-002', 'The token has expired');
  if (name === 'NotBeforeError') return new UnauthenticatedError('AUTHF-AUTH-005', 'The token is not valid yet');
  return new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
}
