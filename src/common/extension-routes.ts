/** Prefix of this service's own routes, which have no ZITADEL counterpart (ZITADEL's shapes live under /v2 and /auth/v1). */
export const EXTENSION_PREFIX = 'authf/v1';

/** The Swagger tag of those routes. */
export const EXTENSION_TAG = 'auth-factors extensions';
