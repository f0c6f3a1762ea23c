import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';

/**
 * Marks a route (or controller) as open to anonymous callers. Every other route
 * needs a bearer token; the OpenAPI document shows these with no security.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
