import { createPublicKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { UnauthenticatedError } from '@app/errors';
import jwt, { GetPublicKeyOrSecret, JwtPayload, VerifyOptions } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { PRINCIPAL_VALIDATOR } from './principal';
import type { Principal, PrincipalValidator } from './principal';
import { loadOrCreateSigningKey } from './signing-key';
import { JWT_ALGORITHM } from './token-issuer';

/** `Bearer <token>` (scheme case-insensitive), as passport-jwt reads it; anything else carries no token. */
const BEARER = /^\s*(\S+)\s+(\S+)/;

/** The token of an `Authorization` header value, if it uses the Bearer scheme. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

/**
 * The one place bearer tokens are verified, whatever the transport (REST's
 * passport strategy, the Connect/gRPC interceptor): signature (JWKS in
 * production, the local key in development), the one pinned algorithm, expiry,
 * not-before, issuer and audience; then that the subject is an active user.
 */
@Injectable()
export class TokenVerifier {
  private readonly key: KeyObject | GetPublicKeyOrSecret;
  private readonly options: VerifyOptions & { complete?: false };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PRINCIPAL_VALIDATOR) private readonly principals: PrincipalValidator,
  ) {
    const { jwksUri, issuer, audience } = config.jwt;
    this.options = { algorithms: [JWT_ALGORITHM], issuer, audience };
    // A parsed key object, not the PEM: jsonwebtoken would parse a PEM again for every token.
    this.key = jwksUri ? jwksKey(jwksUri) : createPublicKey(loadOrCreateSigningKey(config.dataDir).publicKeyPem);
  }

  /**
   * The principal an `Authorization` header value proves. Throws an
   * {@link UnauthenticatedError} for every flaw of the token; other failures
   * (the database being down, say) keep their own meaning.
   */
  async verify(authorization: string | null | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    if (!token) throw new UnauthenticatedError('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)');
    const claims = await this.verifySignatureAndClaims(token);
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
      throw new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
    }
    if (!(await this.principals.isActive(claims.sub))) {
      throw new UnauthenticatedError('AUTHF-AUTH-004', 'The token does not belong to an active user');
    }
    return {
      userId: claims.sub,
      authTime: typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : undefined,
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

/** Looks the token's signing key up in the issuer's JWKS (cached, rate-limited); only for the pinned algorithm. */
function jwksKey(jwksUri: string): GetPublicKeyOrSecret {
  const client = new JwksClient({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
  return (header, callback) => {
    if (header.alg !== JWT_ALGORITHM) return callback(new Error(`unsupported algorithm ${header.alg}`));
    client.getSigningKey(header.kid).then(
      (key) => callback(null, key.getPublicKey()),
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
