/**
 * `Bearer <token>`, the scheme case-insensitive, the token in RFC 6750's b64token alphabet and nothing after it:
 * a header with more in it is not one we can be sure we read as its sender meant.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of an `Authorization` header value, if it is exactly one Bearer credential. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
}

/**
 * Every `Authorization` header of a request, from Node's raw header list: Node keeps only the first of
 * repeated ones in `headers`, and a proxy may have read the other one.
 */
export function authorizationHeaders(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'authorization') values.push(rawHeaders[i + 1]);
  return values;
}

/** What authentication reads of a request, REST's or an RPC's: Node's raw header list, which keeps repeated headers. */
export interface BearerRequest {
  readonly raw: { readonly rawHeaders: readonly string[] };
}
