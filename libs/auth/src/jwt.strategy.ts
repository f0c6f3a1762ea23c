import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import type { Principal } from './principal';
import { authorizationHeaders, TokenVerifier } from './token-verifier';

type Verify = (request: FastifyRequest, done: (error: unknown, principal?: Principal) => void) => void;

/**
 * A passport strategy that hands the whole request to a verify function. Each instance has a name of its own,
 * under which it is registered: passport then serves every request from a fresh object derived from it
 * (`Object.create`), so concurrent requests never share the `success`/`fail` callbacks it sets per request.
 */
class RequestStrategy extends passport.Strategy {
  readonly name = `jwt-${randomUUID()}`;

  constructor(private readonly verifyRequest: Verify) {
    super();
  }

  authenticate(request: unknown): void {
    this.verifyRequest(request as FastifyRequest, (error, principal) => {
      if (error) this.error(error);
      else if (principal) this.success(principal);
      else this.fail(401);
    });
  }
}

/**
 * REST's side of bearer authentication: the {@link TokenVerifier} on the request's `Authorization` header.
 *
 * Registered under its instance's own name, not a fixed 'jwt': two applications in one process (a host
 * embedding two instances, or tests) would otherwise share one strategy, and one would verify tokens with
 * the other's keys and users. AuthModule names it as {@link JwtAuthGuard}'s strategy; it leaves with its application.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(RequestStrategy) implements OnModuleDestroy {
  constructor(private readonly tokens: TokenVerifier) {
    super();
  }

  onModuleDestroy(): void {
    passport.unuse(this.name);
  }

  validate(request: FastifyRequest): Promise<Principal> {
    return this.tokens.verify(authorizationHeaders(request.raw.rawHeaders));
  }
}
