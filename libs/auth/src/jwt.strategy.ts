import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { UnauthenticatedError } from '@app/errors';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { PRINCIPAL_VALIDATOR } from './principal';
import type { Principal, PrincipalValidator } from './principal';
import { loadOrCreateSigningKey } from './signing-key';
import { JWT_ALGORITHM } from './token-issuer';

interface AccessTokenClaims {
  sub?: string;
  auth_time?: number;
}

/**
 * Verifies bearer tokens: signature (JWKS in production, the local key in
 * development), the one pinned algorithm, expiry, not-before, issuer and
 * audience; then that the subject is an active user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PRINCIPAL_VALIDATOR) private readonly principals: PrincipalValidator,
  ) {
    const { jwksUri, issuer, audience } = config.jwt;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [JWT_ALGORITHM],
      issuer,
      audience,
      ignoreExpiration: false,
      ...(jwksUri
        ? { secretOrKeyProvider: passportJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }) }
        : { secretOrKey: loadOrCreateSigningKey(config.dataDir).publicKeyPem }),
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal> {
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
}
