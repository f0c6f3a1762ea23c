// What must never reach a log in clear: bearer tokens (JWTs), e-mail addresses, phone numbers (E.164, maybe spaced).
const BEARER = /Bearer\s+[\w.~+/=-]+/gi;
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;
// Every form an address may take in a serialized line: a dot-atom local part in any script, a quoted one (its quotes
// escaped by JSON, spaces and escaped control characters inside), a domain of any script or an address literal,
// the `@` as is or percent-encoded (in a logged URL).
const LOCAL_PART = String.raw`(?:\\"(?:[^"\\]|\\[^"])*\\"|[\p{L}\p{N}\p{M}!#$%&'*+/=?^_\x60{|}~.-]+)`;
const DOMAIN = String.raw`(?:\[[^\]\s"]*\]|[\p{L}\p{N}\p{M}_-]+(?:\.[\p{L}\p{N}\p{M}_-]+)+)`;
const EMAIL = new RegExp(`${LOCAL_PART}(?:@|%40)${DOMAIN}`, 'gu');
const PHONE = /\+\d[\d ()-]{5,18}\d/g;

/**
 * Masks tokens, e-mail addresses and phone numbers in a text (a whole serialized
 * log line). The cheap `includes` checks keep lines without any of them on the fast path.
 */
export function maskPersonalData(text: string): string {
  let masked = text;
  if (masked.includes('Bearer') || masked.includes('bearer')) masked = masked.replace(BEARER, 'Bearer [token]');
  if (masked.includes('eyJ')) masked = masked.replace(JWT, '[token]');
  if (masked.includes('@') || masked.includes('%40')) masked = masked.replace(EMAIL, '[email]');
  if (masked.includes('+')) masked = masked.replace(PHONE, '[phone]');
  return masked;
}
