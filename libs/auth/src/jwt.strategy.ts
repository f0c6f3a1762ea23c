import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import type { Principal } from './principal';
import { TokenVerifier } from './token-verifier';

type Verify = (request: FastifyRequest, done: (error: unknown, principal?: Principal) => void) => void;

/** A passport strategy that hands the whole request to a verify function. */
class RequestStrategy extends passport.Strategy {
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
 * Registered with a passport of its own, not the process-wide one: two applications in one process
 * (a host embedding two instances, or tests) would otherwise share one 'jwt' strategy, and one would
 * verify tokens with the other's keys and users. {@link JwtAuthGuard} is handed this instance.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(RequestStrategy, 'jwt') {
  constructor(private readonly tokens: TokenVerifier) {
    super();
  }

  getPassportInstance(): passport.Authenticator {
    return new passport.Passport();
  }

  validate(request: FastifyRequest): Promise<Principal> {
    return this.tokens.verify(request.headers.authorization);
  }
}
