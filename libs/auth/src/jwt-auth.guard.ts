import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, AuthModuleOptions } from '@nestjs/passport';
import { authenticationFailure } from './jwt.strategy';
import { IS_PUBLIC } from './public.decorator';

/**
 * Closed by default: every route needs a valid bearer token unless marked {@link Public}.
 * Its strategy is the application's own {@link JwtStrategy}, given as `defaultStrategy` in AuthModule.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AuthModuleOptions) options: AuthModuleOptions,
  ) {
    super(options);
  }

  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  handleRequest<T>(error: unknown, principal: T | false, challenge: unknown): T {
    // The strategy's UnauthenticatedError from its claim checks, or whatever else failed (the database being down, say).
    if (error) throw error;
    if (!principal) throw authenticationFailure(challenge);
    return principal;
  }
}
