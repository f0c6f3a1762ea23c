import jwt from 'jsonwebtoken';
import { SigningKey } from './signing-key';

export interface TokenRequest {
  readonly subject: string;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds; default one hour. */
  readonly expiresInSeconds?: number;
  /** When the user last authenticated (OIDC `auth_time`); default now. */
  readonly authTime?: Date;
}

export const JWT_ALGORITHM = 'RS256';

/** Signs an access token with the local development key. */
export function issueToken(key: SigningKey, request: TokenRequest): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ auth_time: request.authTime ? Math.floor(request.authTime.getTime() / 1000) : now }, key.privateKeyPem, {
    algorithm: JWT_ALGORITHM,
    keyid: key.kid,
    subject: request.subject,
    issuer: request.issuer,
    audience: request.audience,
    expiresIn: request.expiresInSeconds ?? 3600,
  });
}

/** Parses `90s`, `15m`, `12h`, `7d` or a number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}: expected e.g. 90s, 15m, 12h or 7d`);
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * factor;
  if (seconds <= 0) throw new Error('duration must be positive');
  return seconds;
}
