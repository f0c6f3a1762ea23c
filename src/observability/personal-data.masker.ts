// What must never reach a log in clear: bearer tokens (JWTs), e-mail addresses, phone numbers (E.164, maybe spaced).
const BEARER = /Bearer\s+[\w.~+/=-]+/gi;
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;
const EMAIL = /[\w.%+-]+@[\w-]+(?:\.[\w-]+)+/g;
const PHONE = /\+\d[\d ()-]{5,18}\d/g;

/**
 * Masks tokens, e-mail addresses and phone numbers in a text (a whole serialized
 * log line). The cheap `includes` checks keep lines without any of them on the fast path.
 */
export function maskPersonalData(text: string): string {
  let masked = text;
  if (masked.includes('Bearer') || masked.includes('bearer')) masked = masked.replace(BEARER, 'Bearer [token]');
  if (masked.includes('eyJ')) masked = masked.replace(JWT, '[token]');
  if (masked.includes('@')) masked = masked.replace(EMAIL, '[email]');
  if (masked.includes('+')) masked = masked.replace(PHONE, '[phone]');
  return masked;
}
