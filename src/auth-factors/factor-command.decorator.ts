import { applyDecorators, createParamDecorator, ExecutionContext, Type } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { ApiUserIdParam, ProtectedRoute } from '../common/protected-route.decorator';
import { FactorCommandOptions, parseForce } from './factor-command.options';

/** The first value of a header or query parameter sent once or more. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Injects the request's {@link FactorCommandOptions}: `If-Match`, `Idempotency-Key`, and the `force`/`reason` query parameters. */
export const FactorCommand = createParamDecorator((_: unknown, context: ExecutionContext): FactorCommandOptions => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  return {
    ifMatch: first(request.headers['if-match']),
    idempotencyKey: first(request.headers['idempotency-key']),
    force: parseForce(first(query.force)),
    reason: first(query.reason),
  };
});

/** The `ETag` every factor response carries. */
export const ETAG_RESPONSE_HEADER = {
  ETag: { description: 'The user\'s sequence after this call, quoted (`"8"`); send it back in `If-Match`', schema: { type: 'string', example: '"8"' } },
};

/**
 * Documents the headers (and, for administrators' removals, the query parameters) of a factor command.
 * No request examples: Swagger UI would fill them into "Try it out", sending a stale If-Match and one fixed
 * Idempotency-Key with every try.
 */
export function ApiFactorCommand(options: { readonly removal?: boolean } = {}) {
  const decorators = [
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'Optimistic precondition: the `ETag` of the user as last seen, e.g. `"7"`. When the user has changed since, the call is refused with 409 (code 10, ABORTED) and changes nothing.',
      schema: { type: 'string' },
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes retries safe: within 24 h the same key from the same caller on the same operation and user replays the first successful answer (status and body) without acting again; used for another operation or user it is refused with 409 (code 6). Errors are not stored: a retry after an error runs again. 1 to 255 visible ASCII characters.',
      schema: { type: 'string' },
    }),
  ];
  if (options.removal) {
    decorators.push(
      ApiQuery({
        name: 'force',
        required: false,
        type: Boolean,
        description:
          "Administrators only, on other users: remove the user's last second factor although the organization forces MFA. Needs reason; both are recorded in the event.",
      }),
      ApiQuery({
        name: 'reason',
        required: false,
        type: String,
        description: 'Why force is needed (1 to 500 characters), e.g. "user lost both devices, identity verified by phone"; required with force=true.',
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** What a factor route says of itself; the rest of its documentation follows from its kind and target. */
export interface FactorRouteDescription {
  readonly summary: string;
  readonly description: string;
  /** `me`: the token's own user (Auth API v1); `user`: the `{userId}` of the path, checked by UserIdPipe. */
  readonly target: 'me' | 'user';
}

/**
 * A factor command route (add, remove, or the MFA reset): 200 with `details` and the `ETag`, `If-Match` and
 * `Idempotency-Key`, the administrators' `force`/`reason` on removals from another user, and its error statuses.
 * `remove` is a DELETE without body; `add` and `reset` accept `{}`.
 */
export function FactorCommandRoute(route: FactorRouteDescription & { readonly action: 'add' | 'remove' | 'reset' }) {
  const removes = route.action !== 'add';
  const onUser = route.target === 'user';
  return ProtectedRoute({
    summary: route.summary,
    description: route.description,
    response: DetailsResponseDto,
    headers: ETAG_RESPONSE_HEADER,
    // 404: a user named in the path may be invisible, a factor to remove may be missing.
    errors: [400, 403, ...(onUser || removes ? [404] : []), 409, 429],
    parameters: ApiFactorCommand({ removal: removes && onUser }),
    body: route.action === 'remove' ? undefined : 'empty',
    params: onUser ? [ApiUserIdParam()] : [],
  });
}

/** A factor query route: 200 with `response` (and the `ETag` on the v1 list); on another user, 400/403/404 as its access check answers. */
export function FactorQueryRoute(route: FactorRouteDescription & { readonly response: Type<unknown>; readonly body?: 'empty' }) {
  const onUser = route.target === 'user';
  return ProtectedRoute({
    summary: route.summary,
    description: route.description,
    response: route.response,
    // The v1 list carries the ETag the v1 commands' If-Match compares with.
    headers: onUser ? undefined : ETAG_RESPONSE_HEADER,
    errors: onUser ? [400, 403, 404] : [],
    body: route.body,
    params: onUser ? [ApiUserIdParam()] : [],
  });
}
