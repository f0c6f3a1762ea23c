import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { UnauthenticatedError } from '@app/errors';
import type { JwtPayload } from 'jsonwebtoken';
import passport from 'passport';
import { SecretOrKeyProvider, Strategy, StrategyOptionsWithoutRequest, VerifyCallback } from 'passport-jwt';
import { authorizationHeaders, bearerToken } from './bearer-token';
import type { BearerRequest } from './bearer-token';
import { PRINCIPAL_VALIDATOR } from './principal';
import type { Principal, PrincipalValidator } from './principal';
import { JWT_ALGORITHM } from './token-issuer';
import { VerificationKeys } from './verification-keys';

/** A token's `auth_time` further ahead of our clock than this is not believed: a login in the future would stay fresh for ever. */
const AUTH_TIME_CLOCK_SKEW_SECONDS = 60;

/**
 * passport-jwt's strategy under a name of its own per instance, set before PassportStrategy registers it:
 * under the fixed 'jwt', two applications in one process (a host embedding two instances, or tests) would share
 * one strategy, and one would verify tokens with the other's keys and users.
 */
class InstanceJwtStrategy extends Strategy {
  constructor(options: StrategyOptionsWithoutRequest, verify: VerifyCallback) {
    super(options, verify);
    this.name = `jwt-${randomUUID()}`;
  }
}

/** passport's types speak of Express's request; ours are Fastify's and the RPCs', each a {@link BearerRequest}. */
type PassportRequest = Parameters<Strategy['authenticate']>[0];

/** What passport sets on the object serving one request (see {@link JwtStrategy.authenticateRequest}). */
interface PassportActions {
  success(principal: Principal): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
}

/**
 * Bearer authentication of every transport: passport-jwt's `Strategy`, with the one key source
 * ({@link VerificationKeys}), the pinned algorithm, issuer and audience; then the checks jsonwebtoken leaves to
 * us: exactly one Bearer `Authorization` header, a subject, an expiry, an active user.
 *
 * REST runs it through {@link JwtAuthGuard} (AuthModule names this instance as the guard's strategy);
 * gRPC, gRPC-web and Connect through {@link authenticateRequest}: the same object, so both accept and refuse
 * exactly the same tokens.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(InstanceJwtStrategy) implements OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    keys: VerificationKeys,
    @Inject(PRINCIPAL_VALIDATOR) private readonly principals: PrincipalValidator,
  ) {
    super({
      jwtFromRequest: (request: BearerRequest) => bearerToken(authorizationHeaders(request.raw.rawHeaders)[0]) ?? null,
      // The provider hands out parsed KeyObjects, which jsonwebtoken 9 takes as they are (the types say string | Buffer).
      secretOrKeyProvider: keys.provider as SecretOrKeyProvider,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
  }

  onModuleDestroy(): void {
    passport.unuse(this.name);
  }

  /** Refuses several `Authorization` headers before passport-jwt reads the first one. */
  authenticate(request: PassportRequest, options?: object): void {
    if (authorizationHeaders((request as unknown as BearerRequest).raw.rawHeaders).length > 1) {
      return this.fail(new UnauthenticatedError('AUTHF-AUTH-006', 'Send one Authorization header, not several'), 401);
    }
    super.authenticate(request, options);
  }

  /** The claims' checks after the signature's, issuer's, audience's, expiry's and not-before's. */
  async validate(claims: JwtPayload): Promise<Principal> {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
      throw new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
    }
    // jsonwebtoken checks `exp` only when present; a token without one would never expire.
    if (typeof claims.exp !== 'number') throw new UnauthenticatedError('AUTHF-AUTH-007', 'The token has no expiry (exp)');
    if (!(await this.principals.isActive(claims.sub))) {
      throw new UnauthenticatedError('AUTHF-AUTH-004', 'The token does not belong to an active user');
    }
    return { userId: claims.sub, authTime: authTimeOf(claims) };
  }

  /**
   * Runs this strategy on a request outside passport's middleware (the RPC transports), as passport does:
   * on an object derived from this one, so concurrent requests never share the callbacks set per request.
   */
  authenticateRequest(request: BearerRequest): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this) as this & PassportActions;
      attempt.success = resolve;
      attempt.fail = (challenge) => reject(authenticationFailure(challenge));
      attempt.error = reject;
      attempt.authenticate(request as unknown as PassportRequest);
    });
  }
}

/**
 * The error for what passport-jwt refused (its `fail` challenge): ours as they are, jsonwebtoken's by kind.
 * Everything else (a bad signature, algorithm, issuer or audience, a token that is not one, an unknown key)
 * is one "invalid", so a forger learns nothing from the answer.
 */
export function authenticationFailure(challenge: unknown): UnauthenticatedError {
  if (challenge instanceof UnauthenticatedError) return challenge;
  const name = challenge instanceof Error ? challenge.name : '';
  if (name === 'TokenExpiredError') return new UnauthenticatedError('AUTHF-AUTH-002', 'The token has expired');
  if (name === 'NotBeforeError') return new UnauthenticatedError('AUTHF-AUTH-005', 'The token is not valid yet');
  // passport-jwt's "No auth token": the extractor found no single Bearer credential.
  if (challenge instanceof Error && challenge.message === 'No auth token') {
    return new UnauthenticatedError('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)');
  }
  return new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
}

/** When the user last authenticated, if the token says so believably; undefined counts as not fresh for step-up. */
function authTimeOf(claims: JwtPayload): Date | undefined {
  const authTime: unknown = claims.auth_time;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) return undefined;
  if (authTime > Date.now() / 1000 + AUTH_TIME_CLOCK_SKEW_SECONDS) return undefined;
  return new Date(authTime * 1000);
}
