import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, UnauthenticatedError } from '@app/errors';
import { IS_PUBLIC } from './public.decorator';

/** Closed by default: every route needs a valid bearer token unless marked {@link Public}. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  handleRequest<T>(error: unknown, principal: T, info: unknown): T {
    // Errors other than rejection (the database being down, say) keep their own meaning.
    if (error) throw error instanceof DomainError || !isTokenError(error) ? error : rejection(error);
    if (!principal) throw rejection(info);
    return principal;
  }
}

function isTokenError(error: unknown): boolean {
  return error instanceof Error && ['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError', 'SigningKeyNotFoundError'].includes(error.name);
}

function rejection(info: unknown): UnauthenticatedError {
  const name = info instanceof Error ? info.name : '';
  const message = info instanceof Error ? info.message : '';
  if (name === 'TokenExpiredError') return new UnauthenticatedError('AUTHF-AUTH-002', 'The token has expired');
  if (name === 'NotBeforeError') return new UnauthenticatedError('AUTHF-AUTH-005', 'The token is not valid yet');
  if (message === 'No auth token') {
    return new UnauthenticatedError('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)');
  }
  return new UnauthenticatedError('AUTHF-AUTH-003', 'The token is invalid');
}
