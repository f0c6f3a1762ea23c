import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The development signing key: RS256, kept in the data folder. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

const FILE = 'jwt-signing-key.json';

/**
 * Loads the local signing key from `dataDir`, creating it on first use. Two
 * processes creating it at once agree: the first file written wins.
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const file = join(dataDir, FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SigningKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key: SigningKey = {
    kid: createHash('sha256').update(publicKey).digest('base64url').slice(0, 16),
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as SigningKey;
  }
}
