import { applyDecorators, HttpCode, Type } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiProtectedRoute } from './api-errors.decorator';
import { USER_ID_MAX_LENGTH } from './user-id.pipe';

/** The request body of a command that needs none: `{}` is accepted. */
export const EMPTY_REQUEST_BODY = { schema: { type: 'object', example: {} }, required: false };

/** Documents the `{userId}` path parameter that UserIdPipe checks. */
export function ApiUserIdParam(): MethodDecorator {
  return ApiParam({ name: 'userId', description: `the user id (1 to ${USER_ID_MAX_LENGTH} characters)`, example: '163840776835432705' });
}

/** Documents the `{orgId}` path parameter. */
export function ApiOrgIdParam(): MethodDecorator {
  return ApiParam({ name: 'orgId', description: 'the organization id', example: '69629023906488334' });
}

/** What a protected route documents beyond its HTTP method and path. */
export interface RouteDescription {
  readonly summary: string;
  readonly description: string;
  /** The 200 answer's DTO. */
  readonly response: Type<unknown>;
  /** The error statuses it answers besides 401 and the default (see ApiProtectedRoute). */
  readonly errors: readonly number[];
  /** Its path parameters, in the path's order (e.g. ApiOrgIdParam()). */
  readonly params?: readonly MethodDecorator[];
  /** `'empty'`: a command that needs no body accepts `{}`; a DTO class: an optional body of that shape. */
  readonly body?: 'empty' | Type<unknown>;
  /** Response headers of the 200 answer (the factor routes' ETag). */
  readonly headers?: Record<string, { description: string; schema: { type: string; example: string } }>;
  /** Further parameter documentation of the route's kind (the factor commands' If-Match, Idempotency-Key, force). */
  readonly parameters?: MethodDecorator;
}

/**
 * One decorator for a protected route answering 200: its operation, path parameters, body, response, and errors
 * (with bearer security, see ApiProtectedRoute). Controllers name their kinds of routes with it (UserRoute,
 * FactorCommandRoute, ...), so a handler carries its HTTP method and one decorator.
 */
export function ProtectedRoute(route: RouteDescription) {
  const body = route.body === undefined ? [] : [ApiBody(route.body === 'empty' ? EMPTY_REQUEST_BODY : { type: route.body, required: false })];
  // Listed in the order stacked decorators apply (bottom up), the order the document has always had.
  return applyDecorators(
    ApiProtectedRoute(...route.errors),
    ...(route.parameters ? [route.parameters] : []),
    ApiOkResponse({ type: route.response, ...(route.headers ? { headers: route.headers } : {}) }),
    ...body,
    ...[...(route.params ?? [])].reverse(),
    ApiOperation({ summary: route.summary, description: route.description }),
    HttpCode(200),
  );
}

/** A protected route on the user in the path (`/v2/users/{userId}/...`). */
export function UserRoute(route: Omit<RouteDescription, 'params'>) {
  return ProtectedRoute({ ...route, params: [ApiUserIdParam()] });
}

/** A protected route on the organization in the path (`/v2/organizations/{orgId}/...`). */
export function OrganizationRoute(route: Omit<RouteDescription, 'params'>) {
  return ProtectedRoute({ ...route, params: [ApiOrgIdParam()] });
}
